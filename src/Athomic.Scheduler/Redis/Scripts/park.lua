-- park.lua: flow control holds claimed tasks back: a task over its handler's limit, or of a paused handler, goes
-- back to pending as waiting, without using an attempt, if its claim is current.
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] lease, KEYS[4] parked, KEYS[5] parked:by, KEYS[6] deferred
-- (see RedisKeys: a waiting task stays in pending, scored 2^50 + its due time, so no claim meets it, and its member
-- 'handler \0 key \0 due \0 id' in parked makes a handler's waiting tasks one lexicographic range, grouped by key)
-- ARGV[1] (unused), then per task: id, fencing token, parked member, due time (ms).
-- A version scheduled while it was claimed stays held back behind it (that version's schedule said the claimed one
-- runs first): the waiting task is then marked claimed ('!' before its member in parked:by), and schedule.lua and
-- cancel.lua treat it as a running one (never replaced or cancelled, even after the held-back version is cancelled).
-- Returns the number of tasks now waiting.
local K_PENDING = KEYS[1]
local offset = 1125899906842624
local n = 0
for i = 2, #ARGV, 4 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[3], id) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[2], id)
    local old = redis.call('HGET', KEYS[5], id)
    if old then redis.call('ZREM', KEYS[4], (string.gsub(old, '^!', ''))) end
    redis.call('ZADD', K_PENDING, offset + tonumber(ARGV[i + 3]), id)
    redis.call('ZADD', KEYS[4], 0, ARGV[i + 2])
    local claimed = redis.call('HEXISTS', KEYS[6], id) == 1 and '!' or ''
    redis.call('HSET', KEYS[5], id, claimed .. ARGV[i + 2])
    n = n + 1
  end
end
return n
