-- schedule.lua: store tasks and their due times in one atomic step.
-- KEYS[1] pending  (zset: task id -> due time, ms since the Unix epoch)
-- KEYS[2] tasks    (hash: task id -> envelope)
-- KEYS[3] inflight (zset: task id -> lease deadline)
-- ARGV[1] wake channel, ARGV[2] '1' to refuse existing ids,
-- then per task: id, 'd' (delay) or 'a' (absolute), milliseconds, envelope.
-- Returns one status per task: 1 scheduled, 2 rescheduled, 3 already exists.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local refuse = ARGV[2] == '1'
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest = head[2] and tonumber(head[2]) or nil
local wake = nil
local out = {}
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  local due = tonumber(ARGV[i + 2])
  if ARGV[i + 1] == 'd' then due = now + due end
  if refuse and redis.call('HEXISTS', KEYS[2], id) == 1 then
    out[#out + 1] = 3
  else
    local added = redis.call('HSET', KEYS[2], id, ARGV[i + 3])
    redis.call('ZADD', KEYS[1], due, id)
    redis.call('ZREM', KEYS[3], id)
    out[#out + 1] = added == 1 and 1 or 2
    if earliest == nil or due < earliest then
      earliest = due
      wake = due
    end
  end
end
if wake ~= nil then redis.call('PUBLISH', ARGV[1], wake) end
return out
