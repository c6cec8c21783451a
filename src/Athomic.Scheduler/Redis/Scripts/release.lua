-- release.lua: hand in-flight tasks back to the schedule, due now (a worker shutting down).
-- KEYS[1] pending, KEYS[2] inflight
-- ARGV[1] wake channel, then task ids.
-- Returns the number of tasks handed back.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = 0
for i = 2, #ARGV do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[1], now, ARGV[i])
    n = n + 1
  end
end
if n > 0 then redis.call('PUBLISH', ARGV[1], now) end
return n
