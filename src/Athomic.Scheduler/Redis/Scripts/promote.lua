-- promote.lua: move due tasks (expired in-flight leases first) from the schedule straight into the stream, in one
-- atomic step: a task is always either in the schedule or in the stream, never in between.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] stream, KEYS[5] queued (hash: task id -> entry id)
-- ARGV[1] batch size
-- Each task becomes one entry { t = task id, e = envelope ('' when missing), d = due time or lease expiry (ms) };
-- its details move from the tasks hash into the entry.
-- Returns { now, next (ms until the next pending due time or lease expiry, -1 if none), number promoted }.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local n = 0

local function push(id, score)
  local env = redis.call('HGET', KEYS[2], id) or ''
  redis.call('HDEL', KEYS[2], id)
  local eid = redis.call('XADD', KEYS[4], '*', 't', id, 'e', env, 'd', score)
  redis.call('HSET', KEYS[5], id, eid)
  n = n + 1
end

local expired = redis.call('ZRANGE', KEYS[3], 0, max - 1, 'WITHSCORES')
local taken = 0
for i = 1, #expired, 2 do
  if tonumber(expired[i + 1]) > now then break end
  push(expired[i], expired[i + 1])
  taken = taken + 1
end
if taken > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, taken - 1) end

if n < max then
  local due = redis.call('ZRANGE', KEYS[1], 0, max - n - 1, 'WITHSCORES')
  taken = 0
  for i = 1, #due, 2 do
    if tonumber(due[i + 1]) > now then break end
    push(due[i], due[i + 1])
    taken = taken + 1
  end
  if taken > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, taken - 1) end
end

local out = { now, -1, n }
local nextp = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nexti = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
local nxt = nil
if nextp[2] then nxt = tonumber(nextp[2]) end
if nexti[2] and (nxt == nil or tonumber(nexti[2]) < nxt) then nxt = tonumber(nexti[2]) end
if nxt ~= nil then
  if nxt < now then nxt = now end
  out[2] = nxt - now
end
return out
