-- schedule.lua: store tasks and their due times in one atomic step.
-- KEYS[1] pending  (zset: task id -> due time, ms since the Unix epoch)
-- KEYS[2] tasks    (hash: task id -> envelope)
-- KEYS[3] lease    (hash: task id -> fencing token of its current claim, see claim.lua)
-- KEYS[4] queued   (hash: task id -> its stream entry id, streams broker)
-- KEYS[5] deferred (hash: task id -> '<due ms>\n<envelope>', the version that runs after the current run)
-- KEYS[6] reclaims (see claim.lua), KEYS[7] parked, KEYS[8] parked:by (see park.lua: a waiting task rescheduled is an
-- ordinary pending task again)
-- ARGV[1] wake channel, ARGV[2] '1' to refuse existing ids,
-- then per task: id, 'd' (delay) or 'a' (absolute) followed by the task's priority when above 0 ('d10'), milliseconds,
-- envelope. KEYS[9] urgent, KEYS[10] priority (see _take_due.lua: a task with a priority is indexed for the claims).
-- Returns one status per task: 1 scheduled, 2 rescheduled (replaced the pending version, which will not run),
-- 3 already exists (refused: pending, held back, queued or running), 4 rescheduled after the run (the id is claimed
-- or queued: this version is held back and becomes pending when that run ends, never running beside it).
-- The whole call is a few commands however many tasks it carries (a command per task costs more than the work it
-- does); each task is decided in order, as if the tasks came one after another.
-- Callers send at most a few thousand tasks per call (unpack stays within Lua's stack).
-- The reply is read by ScheduleReply (Redis/Replies/ScheduleReply.cs), which keeps this layout in one place.
--#include _now
local n = (#ARGV - 2) / 4
if n < 1 then return {} end
local now = server_now_ms()
local refuse = ARGV[2] == '1'
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest = head[2] and tonumber(head[2]) or nil
local wake = nil
local ids = {}
for k = 1, n do ids[k] = ARGV[(k * 4) - 1] end
local stored = redis.call('HMGET', KEYS[2], unpack(ids))
-- Running: claimed (a claimed task keeps its details in tasks, so only stored ids are looked up in lease) or queued in
-- the stream (whose details left tasks; looked up only when the streams broker has queued anything).
local leased, queued = {}, {}
local known = {}
for k = 1, n do if stored[k] then known[#known + 1] = ids[k] end end
if #known > 0 then
  local tokens = redis.call('HMGET', KEYS[3], unpack(known))
  for k = 1, #known do if tokens[k] then leased[known[k]] = true end end
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  local entries = redis.call('HMGET', KEYS[4], unpack(ids))
  for k = 1, n do if entries[k] then queued[ids[k]] = true end end
end
-- A task that waits for flow control marked claimed (a version was held back behind it, see park.lua) still runs, so
-- it counts as running here too.
if #known > 0 and redis.call('EXISTS', KEYS[8]) == 1 then
  local parked = redis.call('HMGET', KEYS[8], unpack(known))
  for k = 1, #known do
    if parked[k] and string.sub(parked[k], 1, 1) == '!' then leased[known[k]] = true end
  end
end
local seen = {}
local fields, scores, members, held, replaced = {}, {}, {}, {}, {}
local prio_set, prio_clear, urgent = {}, {}, {}
local out = {}
for k = 1, n do
  local i = (k * 4) - 1
  local id = ids[k]
  local running = leased[id] or queued[id]
  local exists = stored[k] or running or seen[id]
  if refuse and exists then
    out[k] = 3
  else
    local due = tonumber(ARGV[i + 2])
    local mode = ARGV[i + 1]
    if string.byte(mode, 1) == 100 then due = now + due end -- 'd'
    local priority = #mode > 1 and tonumber(string.sub(mode, 2)) or 0
    if priority > 0 then
      prio_set[#prio_set + 1] = id
      prio_set[#prio_set + 1] = priority
    elseif exists then
      prio_clear[#prio_clear + 1] = id
    end
    seen[id] = true
    if running then
      held[#held + 1] = id
      held[#held + 1] = due .. '\n' .. ARGV[i + 3]
      out[k] = 4
    else
      fields[#fields + 1] = id
      fields[#fields + 1] = ARGV[i + 3]
      scores[#scores + 1] = due
      scores[#scores + 1] = id
      members[#members + 1] = id
      if priority > 0 then
        urgent[#urgent + 1] = due
        urgent[#urgent + 1] = id
      end
      if exists then replaced[#replaced + 1] = id end
      out[k] = exists and 2 or 1
      if earliest == nil or due < earliest then
        earliest = due
        wake = due
      end
    end
  end
end
if #members > 0 then
  redis.call('HSET', KEYS[2], unpack(fields))
  redis.call('ZADD', KEYS[1], unpack(scores))
end
if #held > 0 then redis.call('HSET', KEYS[5], unpack(held)) end
if #prio_clear > 0 and redis.call('EXISTS', KEYS[10]) == 1 then
  redis.call('HDEL', KEYS[10], unpack(prio_clear))
  redis.call('ZREM', KEYS[9], unpack(prio_clear))
end
if #prio_set > 0 then redis.call('HSET', KEYS[10], unpack(prio_set)) end
if #urgent > 0 then redis.call('ZADD', KEYS[9], unpack(urgent)) end
if #replaced > 0 then
  -- A replaced version takes with it what was held back behind it and its count of expired leases.
  redis.call('HDEL', KEYS[5], unpack(replaced))
  redis.call('HDEL', KEYS[6], unpack(replaced))
  if redis.call('EXISTS', KEYS[8]) == 1 then
    local parked = redis.call('HMGET', KEYS[8], unpack(replaced))
    for k = 1, #replaced do
      if parked[k] then redis.call('ZREM', KEYS[7], (string.gsub(parked[k], '^!', ''))) end
    end
    redis.call('HDEL', KEYS[8], unpack(replaced))
  end
end
if wake ~= nil then redis.call('PUBLISH', ARGV[1], wake) end
return out
