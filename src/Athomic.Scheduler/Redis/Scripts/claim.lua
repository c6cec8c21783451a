-- claim.lua: move due tasks (expired leases first) into the in-flight set under a lease, in one atomic step.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight
-- ARGV[1] batch size, ARGV[2] lease in ms
-- Returns { now, next (ms until the next pending due time or lease expiry, -1 if none),
--           then per task: id, due-or-expired score, envelope ('' if missing), 1 if reclaimed else 0 }.
-- Claims by rank, then checks scores: cheap on Redis and on servers where wide ZRANGEBYSCORE is slow.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local deadline = now + tonumber(ARGV[2])
local out = { now, -1 }
local n = 0

local expired = redis.call('ZRANGE', KEYS[3], 0, max - 1, 'WITHSCORES')
for i = 1, #expired, 2 do
  if tonumber(expired[i + 1]) > now then break end
  local id = expired[i]
  redis.call('ZADD', KEYS[3], deadline, id)
  out[#out + 1] = id
  out[#out + 1] = expired[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
  out[#out + 1] = 1
  n = n + 1
end

if n < max then
  local due = redis.call('ZRANGE', KEYS[1], 0, max - n - 1, 'WITHSCORES')
  local taken = 0
  for i = 1, #due, 2 do
    if tonumber(due[i + 1]) > now then break end
    local id = due[i]
    redis.call('ZADD', KEYS[3], deadline, id)
    out[#out + 1] = id
    out[#out + 1] = due[i + 1]
    out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
    out[#out + 1] = 0
    taken = taken + 1
  end
  if taken > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, taken - 1) end
end

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
