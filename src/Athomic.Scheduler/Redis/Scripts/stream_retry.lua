-- stream_retry.lua: a stream entry failed: schedule its next attempt and drop the entry, in one atomic step.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] pending, KEYS[4] tasks, KEYS[5] deferred (see schedule.lua)
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, ARGV[5] envelope of the next attempt,
-- ARGV[6] delay in ms, ARGV[7] wake channel
-- Acts only while the caller's consumer owns the entry. The entry id is the claim's fencing token: a version
-- scheduled while the entry ran replaces the retry and becomes pending (_deferred.lua); an entry that is not the
-- task's current one writes no retry, so it never overwrites a newer version.
-- Returns 1 when the next attempt is pending, 2 when a newer version replaced it, 0 when not owned.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[3], KEYS[4], KEYS[5], ARGV[7]
--#include _now
--#include _deferred
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
local id = ARGV[4]
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], id) ~= ARGV[3] then return 2 end
redis.call('HDEL', KEYS[2], id)
if promote_deferred(id) then return 2 end
if redis.call('HEXISTS', K_TASKS, id) == 1 then return 2 end
local due = server_now_ms() + tonumber(ARGV[6])
local head = redis.call('ZRANGE', K_PENDING, 0, 0, 'WITHSCORES')
redis.call('HSET', K_TASKS, id, ARGV[5])
redis.call('ZADD', K_PENDING, due, id)
if head[2] == nil or due < tonumber(head[2]) then redis.call('PUBLISH', WAKE, due) end
return 1
