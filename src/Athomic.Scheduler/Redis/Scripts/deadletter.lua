-- deadletter.lua: move an in-flight task to the dead letters with a record of why.
-- KEYS[1] inflight, KEYS[2] tasks, KEYS[3] dead (hash: id -> record), KEYS[4] dead index (zset: id -> time),
-- KEYS[5] reclaims (see claim.lua)
-- ARGV[1] task id, ARGV[2] record
-- Returns 1 when the task was in flight, else 0.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[5], ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], now, ARGV[1])
return 1
