-- retry.lua: a claimed task failed: move it back to the schedule as its next attempt, if the claim is current.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] reclaims, KEYS[5] lease, KEYS[6] deferred
-- (see claim.lua and schedule.lua)
-- ARGV[1] wake channel, ARGV[2] task id, ARGV[3] envelope of the next attempt, ARGV[4] delay in ms,
-- ARGV[5] fencing token of the claim; KEYS[7] urgent, KEYS[8] priority (a task with a priority keeps it, _take_due.lua)
-- A version scheduled while it ran replaces the retry: it becomes pending instead (_deferred.lua).
-- Returns 1 when the next attempt is pending, 2 when a newer version replaced it, 0 when the claim was not current.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[1], KEYS[2], KEYS[6], ARGV[1]
local K_URGENT, K_PRIORITY = KEYS[7], KEYS[8]
--#include _now
--#include _deferred
local id = ARGV[2]
if redis.call('HGET', KEYS[5], id) ~= ARGV[5] then return 0 end
redis.call('HDEL', KEYS[5], id)
redis.call('ZREM', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
if promote_deferred(id) then return 2 end
local now = server_now_ms()
local due = now + tonumber(ARGV[4])
local head = redis.call('ZRANGE', K_PENDING, 0, 0, 'WITHSCORES')
redis.call('HSET', K_TASKS, id, ARGV[3])
redis.call('ZADD', K_PENDING, due, id)
if redis.call('HEXISTS', K_PRIORITY, id) == 1 then redis.call('ZADD', K_URGENT, due, id) end
if head[2] == nil or due < tonumber(head[2]) then redis.call('PUBLISH', WAKE, due) end
return 1
