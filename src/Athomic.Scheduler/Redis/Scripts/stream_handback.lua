-- stream_handback.lua: give a stream entry that did not run back to the group at once (this consumer is stopping):
-- acknowledge and delete it and add it again, so any other consumer reads it without waiting for a timeout.
-- KEYS[1] stream, KEYS[2] queued
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, then the entry's fields and values.
-- Returns 1 when handed back, else 0 (no longer owned by the caller).
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
local eid = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 5))
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[3] then redis.call('HSET', KEYS[2], ARGV[4], eid) end
return 1
