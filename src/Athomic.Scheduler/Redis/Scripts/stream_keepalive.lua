-- stream_keepalive.lua: reset the idle time of the entries this consumer is running, so no other consumer
-- reclaims them while their handlers live (XCLAIM with min-idle 0 and JUSTID: no delivery is counted).
-- KEYS[1] stream
-- ARGV[1] group, ARGV[2] consumer, then entry ids.
-- Entries another consumer owns by now are left alone. Returns the ids that are no longer this consumer's.
local lost = {}
for i = 3, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) == 1 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
