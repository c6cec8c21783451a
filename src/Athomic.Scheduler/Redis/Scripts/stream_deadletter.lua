-- stream_deadletter.lua: move a stream entry to the dead letters with a record of why, in one atomic step.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] dead (hash: key -> record), KEYS[4] dead index (zset: key -> time; see _dead.lua),
-- KEYS[5] pending, KEYS[6] tasks, KEYS[7] deferred (see schedule.lua), KEYS[8] urgent, KEYS[9] priority (_take_due.lua)
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] entry id, ARGV[4] task id, ARGV[5] record, ARGV[6] wake channel,
-- ARGV[7] most dead letters kept (0: no limit), ARGV[8] longest a dead letter is kept, ms (0: no limit)
-- Acts only while the caller's consumer owns the entry. A version scheduled while the entry ran becomes pending
-- (_deferred.lua). An earlier dead letter of the task is kept (_dead.lua). Old dead letters are trimmed (_dead.lua).
-- Returns 1 when done, else 0 (no longer owned by the caller).
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[5], KEYS[6], KEYS[7], ARGV[6]
local K_DEAD, K_DEAD_INDEX = KEYS[3], KEYS[4]
local K_URGENT, K_PRIORITY = KEYS[8], KEYS[9]
--#include _now
--#include _deferred
--#include _dead
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then return 0 end
local now = server_now_ms()
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
dead_add(ARGV[4], ARGV[5], now)
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[3] then
  redis.call('HDEL', KEYS[2], ARGV[4])
  if not promote_deferred(ARGV[4]) then redis.call('HDEL', K_PRIORITY, ARGV[4]) end
end
trim_dead(now, tonumber(ARGV[7]), tonumber(ARGV[8]))
return 1
