-- stream_retry.lua: a stream entry failed: schedule its next attempt and drop the entry, in one atomic step.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] pending, KEYS[4] tasks
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, ARGV[5] envelope of the next attempt,
-- ARGV[6] delay in ms, ARGV[7] wake channel
-- Acts only while the caller's consumer owns the entry. A task rescheduled meanwhile keeps its newer schedule.
-- Returns 1 when done, else 0.
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[3] then redis.call('HDEL', KEYS[2], ARGV[4]) end
if redis.call('ZSCORE', KEYS[3], ARGV[4]) then return 1 end
local t = redis.call('TIME')
local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
local head = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
redis.call('ZADD', KEYS[3], due, ARGV[4])
if head[2] == nil or due < tonumber(head[2]) then redis.call('PUBLISH', ARGV[7], due) end
return 1
