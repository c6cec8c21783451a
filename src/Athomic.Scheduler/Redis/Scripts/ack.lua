-- ack.lua: a claimed task ran: forget it, if the claim is still the current one.
-- KEYS[1] inflight, KEYS[2] tasks, KEYS[3] reclaims, KEYS[4] lease, KEYS[5] pending, KEYS[6] deferred
-- (see claim.lua and schedule.lua)
-- ARGV[1] wake channel, ARGV[2] task id, ARGV[3] fencing token of the claim
-- A version scheduled while it ran becomes pending now (_deferred.lua).
-- Returns 1 when the claim was current (and is now ended), else 0.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[5], KEYS[2], KEYS[6], ARGV[1]
--#include _deferred
local id = ARGV[2]
if redis.call('HGET', KEYS[4], id) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[4], id)
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
promote_deferred(id)
return 1
