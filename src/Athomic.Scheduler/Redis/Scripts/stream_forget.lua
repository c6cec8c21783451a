-- stream_forget.lua: forget tasks whose stream entry was deleted outside the scheduler (an operator's XDEL, an XTRIM):
-- the task's mark in queued would outlive its entry, count the id as queued for ever and hold back for ever the version
-- scheduled while it was queued.
-- KEYS[1] stream, KEYS[2] queued, KEYS[3] pending, KEYS[4] tasks, KEYS[5] deferred (see schedule.lua), KEYS[6] urgent,
-- KEYS[7] priority (_take_due.lua)
-- ARGV[1] group, ARGV[2] wake channel, ARGV[3] min idle (ms), then pairs: task id, entry id (as read from queued).
-- A pair acts only while queued still names that entry, the entry is no longer in the stream, and no consumer touched
-- it for min idle (the visibility timeout; a consumer keeps a running entry alive, and its keep-alive cancels the run of
-- an entry that is gone, so the version held back never runs beside it). The entry's pending-list entry is dropped (Redis
-- 6.2 keeps deleted entries there), the mark removed, and a version held back becomes pending (_deferred.lua).
-- Returns the ids of the tasks forgotten.
local K_PENDING, K_TASKS, K_DEFERRED, WAKE = KEYS[3], KEYS[4], KEYS[5], ARGV[2]
local K_URGENT, K_PRIORITY = KEYS[6], KEYS[7]
--#include _deferred
local min_idle = tonumber(ARGV[3])
local gone = {}
for i = 4, #ARGV - 1, 2 do
  local id, eid = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', KEYS[2], id) == eid and #redis.call('XRANGE', KEYS[1], eid, eid) == 0 then
    local held = redis.call('XPENDING', KEYS[1], ARGV[1], eid, eid, 1)
    if held[1] == nil or held[1][3] >= min_idle then
      if held[1] then redis.call('XACK', KEYS[1], ARGV[1], eid) end
      redis.call('HDEL', KEYS[2], id)
      if not promote_deferred(id) then redis.call('HDEL', K_PRIORITY, id) end
      gone[#gone + 1] = id
    end
  end
end
return gone
