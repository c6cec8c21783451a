-- _take_due.lua (included by claim.lua and promote.lua): take_due(max) takes up to max due tasks out of K_PENDING and
-- returns their ids and due times, in the order they should start. Needs now, K_PENDING, K_URGENT (zset: id -> due,
-- the tasks with a priority above 0) and K_PRIORITY (hash: id -> priority).
-- Without prioritized tasks it is the plain claim by rank (then check scores: cheap on Redis and on servers where a wide
-- ZRANGEBYSCORE is slow). With them, due tasks are taken by effective priority: priority + seconds overdue, so a
-- higher priority goes first among tasks due about together, and a task of any priority that has waited long enough
-- goes before newer higher ones (no starvation). K_URGENT is an index kept by schedule.lua, retry.lua, release.lua and
-- _deferred.lua; an entry whose due time no longer matches K_PENDING (cancelled, rescheduled, claimed, waiting for flow
-- control) is dropped when met.
local function zrem_all(key, members)
  for k = 1, #members, 4000 do redis.call('ZREM', key, unpack(members, k, math.min(k + 3999, #members))) end
end

local function take_due(max)
  local ids, scores = {}, {}
  if max <= 0 then return ids, scores end
  local due = redis.call('ZRANGE', K_PENDING, 0, max - 1, 'WITHSCORES')
  if redis.call('EXISTS', K_URGENT) == 0 then
    -- No task with a priority is pending (the usual case): the plain claim by rank, with no merge tables (what the
    -- merge below takes then, in the same order).
    for i = 1, #due, 2 do
      local at = tonumber(due[i + 1])
      if at > now then break end
      ids[#ids + 1], scores[#scores + 1] = due[i], at
    end
    if #ids > 0 then redis.call('ZREMRANGEBYRANK', K_PENDING, 0, #ids - 1) end
    return ids, scores
  end
  local plain = {}
  for i = 1, #due, 2 do
    if tonumber(due[i + 1]) > now then break end
    plain[#plain + 1] = { due[i], tonumber(due[i + 1]) }
  end
  local urgent = {}
  do
    local cand = redis.call('ZRANGEBYSCORE', K_URGENT, '-inf', now, 'WITHSCORES', 'LIMIT', 0, math.max(64, max * 4))
    local stale = {}
    for i = 1, #cand, 2 do
      local id, at = cand[i], tonumber(cand[i + 1])
      local s = redis.call('ZSCORE', K_PENDING, id)
      local p = redis.call('HGET', K_PRIORITY, id)
      if s and tonumber(s) == at and p then
        urgent[#urgent + 1] = { id, at, tonumber(p) + (now - at) / 1000 }
      else
        stale[#stale + 1] = id
      end
    end
    if #stale > 0 then redis.call('ZREM', K_URGENT, unpack(stale)) end
    table.sort(urgent, function(a, b) if a[3] ~= b[3] then return a[3] > b[3] end return a[2] < b[2] end)
  end
  local taken, by_rank, i, j = {}, 0, 1, 1
  while #ids < max and (i <= #urgent or j <= #plain) do
    local u, p = urgent[i], plain[j]
    if p and taken[p[1]] then
      j = j + 1
      by_rank = by_rank + 1
    elseif u and taken[u[1]] then
      i = i + 1
    elseif u and (not p or u[3] >= (now - p[2]) / 1000) then
      ids[#ids + 1], scores[#scores + 1] = u[1], u[2]
      taken[u[1]] = 'u'
      i = i + 1
    else
      ids[#ids + 1], scores[#scores + 1] = p[1], p[2]
      taken[p[1]] = 'r'
      j = j + 1
      by_rank = by_rank + 1
    end
  end
  -- The plain ones taken are the first by_rank of the schedule (an urgent one among them counts once); the other
  -- urgent ones leave by id.
  if by_rank > 0 then redis.call('ZREMRANGEBYRANK', K_PENDING, 0, by_rank - 1) end
  local by_id = {}
  for k = 1, #ids do
    if taken[ids[k]] == 'u' then
      local rank = redis.call('ZRANK', K_PENDING, ids[k])
      if rank then by_id[#by_id + 1] = ids[k] end
    end
  end
  zrem_all(K_PENDING, by_id)
  if #ids > 0 then zrem_all(K_URGENT, ids) end
  return ids, scores
end
