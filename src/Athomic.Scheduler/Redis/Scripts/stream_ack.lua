-- stream_ack.lua: a stream entry ran: acknowledge and delete it, in one step.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] pending, KEYS[4] tasks, KEYS[5] deferred (see schedule.lua), KEYS[6] urgent,
-- KEYS[7] priority (_take_due.lua)
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, ARGV[5] wake channel
-- Acts only while the caller's consumer still owns the entry (not reclaimed by another after a stall). The entry id
-- is the claim's fencing token: a version scheduled while the entry ran becomes pending now (_deferred.lua).
-- Returns 1 when acknowledged, else 0.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[3], KEYS[4], KEYS[5], ARGV[5]
local K_URGENT, K_PRIORITY = KEYS[6], KEYS[7]
--#include _deferred
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[3] then
  redis.call('HDEL', KEYS[2], ARGV[4])
  if not promote_deferred(ARGV[4]) then redis.call('HDEL', K_PRIORITY, ARGV[4]) end
end
return 1
