-- park.lua: flow control holds claimed tasks back: a task over its handler's limit, or of a paused handler, goes
-- back to pending as waiting, without using an attempt, if its claim is current.
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] lease, KEYS[4] parked, KEYS[5] parked:by, KEYS[6] tasks, KEYS[7] deferred
-- (see RedisKeys: a waiting task stays in pending, scored 2^50 + its due time, so no claim meets it, and its member
-- 'handler \0 key \0 due \0 id' in parked makes a handler's waiting tasks one lexicographic range, grouped by key)
-- ARGV[1] wake channel, then per task: id, fencing token, parked member, due time (ms).
-- A version scheduled while it was claimed replaces it and becomes pending instead (_deferred.lua).
-- Returns the number of tasks now waiting.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[1], KEYS[6], KEYS[7], ARGV[1]
--#include _deferred
local offset = 1125899906842624
local n = 0
for i = 2, #ARGV, 4 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[3], id) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[2], id)
    if not promote_deferred(id) then
      local old = redis.call('HGET', KEYS[5], id)
      if old then redis.call('ZREM', KEYS[4], old) end
      redis.call('ZADD', K_PENDING, offset + tonumber(ARGV[i + 3]), id)
      redis.call('ZADD', KEYS[4], 0, ARGV[i + 2])
      redis.call('HSET', KEYS[5], id, ARGV[i + 2])
      n = n + 1
    end
  end
end
return n
