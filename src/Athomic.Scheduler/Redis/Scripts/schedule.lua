-- schedule.lua: store tasks and their due times in one atomic step.
-- KEYS[1] pending  (zset: task id -> due time, ms since the Unix epoch)
-- KEYS[2] tasks    (hash: task id -> envelope)
-- KEYS[3] inflight (zset: task id -> lease deadline)
-- ARGV[1] wake channel, ARGV[2] '1' to refuse existing ids,
-- then per task: id, 'd' (delay) or 'a' (absolute), milliseconds, envelope.
-- Returns one status per task: 1 scheduled, 2 rescheduled, 3 already exists.
-- The whole call is one HMGET, one HSET, one ZADD and one ZREM however many tasks it carries (a command per task
-- costs more than the work it does); each task is decided in order, as if the tasks came one after another.
-- Callers send at most a few thousand tasks per call (unpack stays within Lua's stack).
local n = (#ARGV - 2) / 4
if n < 1 then return {} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local refuse = ARGV[2] == '1'
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest = head[2] and tonumber(head[2]) or nil
local wake = nil
local ids = {}
for k = 1, n do ids[k] = ARGV[(k * 4) - 1] end
local stored = redis.call('HMGET', KEYS[2], unpack(ids))
local seen = {}
local fields, scores, members = {}, {}, {}
local out = {}
for k = 1, n do
  local i = (k * 4) - 1
  local id = ids[k]
  local exists = stored[k] or seen[id]
  if refuse and exists then
    out[k] = 3
  else
    local due = tonumber(ARGV[i + 2])
    if ARGV[i + 1] == 'd' then due = now + due end
    fields[#fields + 1] = id
    fields[#fields + 1] = ARGV[i + 3]
    scores[#scores + 1] = due
    scores[#scores + 1] = id
    members[#members + 1] = id
    seen[id] = true
    out[k] = exists and 2 or 1
    if earliest == nil or due < earliest then
      earliest = due
      wake = due
    end
  end
end
if #members > 0 then
  redis.call('HSET', KEYS[2], unpack(fields))
  redis.call('ZADD', KEYS[1], unpack(scores))
  redis.call('ZREM', KEYS[3], unpack(members))
end
if wake ~= nil then redis.call('PUBLISH', ARGV[1], wake) end
return out
