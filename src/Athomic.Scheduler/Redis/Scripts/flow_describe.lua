-- flow_describe.lua: the live slots and the starts in the current rate window of some handlers.
-- KEYS per handler: slots, rate (see flow_acquire.lua)
-- ARGV per handler: rate window in ms (0 for none).
-- Returns per handler: live slots, starts in the window.
--#include _now
local now = server_now_ms()
local out = {}
for r = 0, #ARGV - 1 do
  out[#out + 1] = redis.call('ZCOUNT', KEYS[1 + r * 2], '(' .. now, '+inf')
  local window = tonumber(ARGV[1 + r])
  out[#out + 1] = window > 0 and redis.call('ZCOUNT', KEYS[2 + r * 2], '(' .. (now - window), '+inf') or 0
end
return out
