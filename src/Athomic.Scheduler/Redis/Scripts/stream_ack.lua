-- stream_ack.lua: a stream entry ran: acknowledge and delete it, in one step.
-- KEYS[1] stream, KEYS[2] queued
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id
-- Acts only while the caller's consumer still owns the entry (not reclaimed by another after a stall).
-- Returns 1 when acknowledged, else 0.
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[3] then redis.call('HDEL', KEYS[2], ARGV[4]) end
return 1
