-- flow_pause.lua: pause or resume a handler cluster-wide and tell the workers ('p:handler' or 'r:handler').
-- KEYS[1] paused (set of handler names)
-- ARGV[1] channel, ARGV[2] handler, ARGV[3] '1' to pause, '0' to resume.
-- Returns 1 when the state changed, else 0.
local changed
if ARGV[3] == '1' then
  changed = redis.call('SADD', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[1], 'p:' .. ARGV[2])
else
  changed = redis.call('SREM', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[1], 'r:' .. ARGV[2])
end
return changed
