-- _chain.lua (included by claim.lua and promote.lua): chain(id) adds the next occurrence of a recurring schedule in
-- the same step that dispatches the current one. Needs now, and the keys K_PENDING, K_TASKS, K_RSTATE, K_RDUE and
-- K_RNEXT (hash: occurrence task id -> its prepared successor, '<revision> <time> <schedule id> <latest>\n<envelope>',
-- written by recurring_add.lua). The successor becomes the pending occurrence unless the schedule changed since
-- (revision), the watermark is already at or past it, or it is missed (now > latest), which the workers' misfire
-- policy decides instead. Either way the schedule is indexed at 0, so a worker looks at it at once: it prepares the
-- next successor, or adds the next occurrence by the misfire policy. Returns true when id had a successor record.
local function chain(id)
  if not string.find(id, '@', 1, true) then return false end
  local s = redis.call('HGET', K_RNEXT, id)
  if not s then return false end
  redis.call('HDEL', K_RNEXT, id)
  local nl = string.find(s, '\n', 1, true)
  local rev, t2, sid, latest = string.match(string.sub(s, 1, nl - 1), '^(%S+) (%S+) (%S+) (%S+)$')
  redis.call('ZADD', K_RDUE, 0, sid)
  if (redis.call('HGET', K_RSTATE, 'r:' .. sid) or '0') ~= rev then return true end
  local w = redis.call('HGET', K_RSTATE, 'w:' .. sid) or '0'
  if tonumber(t2) <= tonumber(w) or now > tonumber(latest) then return true end
  local id2 = sid .. '@' .. t2
  redis.call('HSET', K_TASKS, id2, string.sub(s, nl + 1))
  redis.call('ZADD', K_PENDING, t2, id2)
  redis.call('HSET', K_RSTATE, 'pw:' .. sid, w, 'w:' .. sid, t2, 'p:' .. sid, id2)
  return true
end
