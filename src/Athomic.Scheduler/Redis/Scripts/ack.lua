-- ack.lua: claimed tasks ran: forget each one whose claim is still the current one.
-- KEYS[1] inflight, KEYS[2] tasks, KEYS[3] reclaims, KEYS[4] lease, KEYS[5] pending, KEYS[6] deferred
-- (see claim.lua and schedule.lua), KEYS[7] urgent, KEYS[8] priority (_take_due.lua)
-- ARGV[1] wake channel, then pairs of task id and fencing token of the claim (concurrent acks share one call).
-- A version scheduled while a task ran becomes pending now (_deferred.lua).
-- Returns per pair 1 when the claim was current (and is now ended), else 0.
-- The reply is read by AckReply (Redis/Replies/AckReply.cs), which keeps this layout in one place.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[5], KEYS[2], KEYS[6], ARGV[1]
local K_URGENT, K_PRIORITY = KEYS[7], KEYS[8]
--#include _deferred
local out = {}
local ended = {}
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[4], id) == ARGV[i + 1] then
    ended[#ended + 1] = id
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
if #ended > 0 then
  redis.call('HDEL', KEYS[4], unpack(ended))
  redis.call('ZREM', KEYS[1], unpack(ended))
  redis.call('HDEL', KEYS[2], unpack(ended))
  redis.call('HDEL', KEYS[3], unpack(ended))
  -- A task gone for good forgets its priority; a version scheduled while it ran keeps the one it was scheduled with.
  local gone = ended
  if redis.call('EXISTS', K_DEFERRED) == 1 then
    gone = {}
    for i = 1, #ended do
      if not promote_deferred(ended[i]) then gone[#gone + 1] = ended[i] end
    end
  end
  if #gone > 0 and redis.call('EXISTS', K_PRIORITY) == 1 then redis.call('HDEL', K_PRIORITY, unpack(gone)) end
end
return out
