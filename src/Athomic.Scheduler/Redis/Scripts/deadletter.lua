-- deadletter.lua: move a claimed task to the dead letters with a record of why, if the claim is current.
-- KEYS[1] inflight, KEYS[2] tasks, KEYS[3] dead (hash: key -> record), KEYS[4] dead index (zset: key -> time; see _dead.lua),
-- KEYS[5] reclaims, KEYS[6] lease, KEYS[7] pending, KEYS[8] deferred (see claim.lua and schedule.lua), KEYS[9] urgent,
-- KEYS[10] priority (_take_due.lua)
-- ARGV[1] task id, ARGV[2] record, ARGV[3] fencing token of the claim, ARGV[4] wake channel,
-- ARGV[5] most dead letters kept (0: no limit), ARGV[6] longest a dead letter is kept, ms (0: no limit)
-- A version scheduled while it ran becomes pending now (_deferred.lua). An earlier dead letter of the task is kept
-- (_dead.lua). Old dead letters are trimmed (_dead.lua).
-- Returns 1 when the claim was current, else 0.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[7], KEYS[2], KEYS[8], ARGV[4]
local K_DEAD, K_DEAD_INDEX = KEYS[3], KEYS[4]
local K_URGENT, K_PRIORITY = KEYS[9], KEYS[10]
--#include _now
--#include _deferred
--#include _dead
local id = ARGV[1]
if redis.call('HGET', KEYS[6], id) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[6], id)
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[5], id)
local now = server_now_ms()
redis.call('HDEL', K_TASKS, id)
dead_add(id, ARGV[2], now)
if not promote_deferred(id) then redis.call('HDEL', K_PRIORITY, id) end
trim_dead(now, tonumber(ARGV[5]), tonumber(ARGV[6]))
return 1
