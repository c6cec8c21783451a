-- unpark.lua: claim waiting tasks of one handler (see park.lua) under a lease, as claim.lua claims due ones, taking
-- keys in turn: at most ARGV[4] tasks of each key per round, starting after ARGV[5], the key this worker served last,
-- so one key with a deep backlog never starves the others.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] lease, KEYS[5] fence, KEYS[6] owner, KEYS[7] parked,
-- KEYS[8] parked:by (see claim.lua and park.lua)
-- ARGV[1] batch size, ARGV[2] lease in ms, ARGV[3] the claiming process's name, ARGV[4] tasks per key per round,
-- ARGV[5] the key served last ('' to start at the first), ARGV[6] handler, ARGV[7] owner batches kept
-- Returns claim.lua's layout: { now, -1, 0, fencing token base, tasks still waiting, then per task: id, due, envelope,
-- 0 }, then the last key
-- served as one more element when any task was claimed.
-- A member whose task is no longer waiting (rescheduled, cancelled or claimed since) is dropped on the way.
--#include _now
local K_PENDING, K_TASKS, K_INFLIGHT, K_LEASE, K_FENCE, K_OWNER, K_PARKED, K_BY = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local now = server_now_ms()
--#include _fence
local max, per_key = tonumber(ARGV[1]), tonumber(ARGV[4])
local deadline = now + tonumber(ARGV[2])
local offset = 1125899906842624
local prefix = ARGV[6] .. '\0'
local last_bound = '(' .. ARGV[6] .. '\1'
local out = { now, -1, 0, 0, 0 }
local ids, dues = {}, {}
local served = {}
local last_key = nil
local pos = ARGV[5] == '' and ('[' .. prefix) or ('(' .. prefix .. ARGV[5] .. '\1')
local wrapped = ARGV[5] == ''
local guard = 0
while #ids < max and guard < max * 4 + 8 do
  guard = guard + 1
  local first = redis.call('ZRANGEBYLEX', K_PARKED, pos, last_bound, 'LIMIT', 0, 1)[1]
  if not first then
    if wrapped then break end
    wrapped = true
    pos = '[' .. prefix
  else
    local key = string.match(string.sub(first, #prefix + 1), '^([^%z]*)%z')
    if key == nil or served[key] then break end
    served[key] = true
    local key_prefix = prefix .. key .. '\0'
    local members = redis.call('ZRANGEBYLEX', K_PARKED, '[' .. key_prefix, '(' .. prefix .. key .. '\1', 'LIMIT', 0, math.min(per_key, max - #ids))
    for k = 1, #members do
      local m = members[k]
      local due, id = string.match(string.sub(m, #key_prefix + 1), '^(%d+)%z(.*)$')
      redis.call('ZREM', K_PARKED, m)
      local score = redis.call('ZSCORE', K_PENDING, id)
      local by = id and redis.call('HGET', K_BY, id)
      if by and (by == m or by == '!' .. m) and score and tonumber(score) >= offset then
        redis.call('HDEL', K_BY, id)
        redis.call('ZREM', K_PENDING, id)
        ids[#ids + 1] = id
        dues[#dues + 1] = tonumber(due)
        last_key = key
      end
    end
    pos = '(' .. prefix .. key .. '\1'
  end
end

if #ids > 0 then
  local base = take_tokens(K_FENCE, K_OWNER, #ids, now, ARGV[3], ARGV[7])
  for i = 1, #ids do
    redis.call('ZADD', K_INFLIGHT, deadline, ids[i])
    redis.call('HSET', K_LEASE, ids[i], base + i)
  end
  local envelopes = redis.call('HMGET', K_TASKS, unpack(ids))
  for i = 1, #ids do
    out[#out + 1] = ids[i]
    out[#out + 1] = dues[i]
    out[#out + 1] = envelopes[i] or ''
    out[#out + 1] = 0
  end
  out[4] = base
  out[#out + 1] = last_key
end
out[5] = redis.call('ZCARD', K_PARKED)
return out
