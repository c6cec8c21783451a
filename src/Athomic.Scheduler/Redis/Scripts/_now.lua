-- _now.lua (included by every script that reads the clock): server_now_ms() is the Redis server's TIME in ms since
-- the Unix epoch, the one clock that due times and lease deadlines are compared against (never a host's clock).
local function server_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
