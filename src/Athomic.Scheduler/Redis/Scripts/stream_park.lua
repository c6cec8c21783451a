-- stream_park.lua: flow control holds a stream entry back (its handler is over a limit or paused): the entry leaves the
-- stream and its task waits in the schedule (see park.lua), pending at its due time, without using an attempt.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] pending, KEYS[4] tasks, KEYS[5] parked, KEYS[6] parked:by, KEYS[7] deferred
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, ARGV[5] envelope, ARGV[6] due (ms),
-- ARGV[7] parked member
-- A version scheduled while the entry was queued stays held back behind it, and the task is marked claimed (see park.lua).
-- Returns 1 when the task now waits, 0 when the entry is no longer owned by the caller.
local K_PENDING, K_TASKS = KEYS[3], KEYS[4]
local id = ARGV[4]
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], id) ~= ARGV[3] then return 1 end
redis.call('HDEL', KEYS[2], id)
local old = redis.call('HGET', KEYS[6], id)
if old then redis.call('ZREM', KEYS[5], (string.gsub(old, '^!', ''))) end
redis.call('HSET', K_TASKS, id, ARGV[5])
redis.call('ZADD', K_PENDING, 1125899906842624 + tonumber(ARGV[6]), id)
redis.call('ZADD', KEYS[5], 0, ARGV[7])
redis.call('HSET', KEYS[6], id, (redis.call('HEXISTS', KEYS[7], id) == 1 and '!' or '') .. ARGV[7])
return 1
