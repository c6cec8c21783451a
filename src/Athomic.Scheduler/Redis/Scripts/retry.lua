-- retry.lua: move an in-flight task back to the schedule as its next attempt.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] reclaims (see claim.lua)
-- ARGV[1] wake channel, ARGV[2] task id, ARGV[3] envelope of the next attempt, ARGV[4] delay in ms
-- Returns 1 when the task was in flight (and is now pending), else 0.
if redis.call('ZREM', KEYS[3], ARGV[2]) == 0 then return 0 end
redis.call('HDEL', KEYS[4], ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = now + tonumber(ARGV[4])
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[1], due, ARGV[2])
if head[2] == nil or due < tonumber(head[2]) then redis.call('PUBLISH', ARGV[1], due) end
return 1
