-- extend.lua: extend the leases of in-flight tasks that a live worker still holds.
-- KEYS[1] inflight
-- ARGV[1] lease in ms, then task ids. Tasks no longer in flight are left alone (ZADD XX).
-- Returns the number of leases extended.
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', deadline, ARGV[i])
end
return n
