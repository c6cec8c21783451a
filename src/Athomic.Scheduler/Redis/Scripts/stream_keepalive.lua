-- stream_keepalive.lua: reset the idle time of the entries this consumer is running, so no other consumer
-- reclaims them while their handlers live (XCLAIM with min-idle 0 and JUSTID: no delivery is counted).
-- KEYS[1] stream
-- ARGV[1] group, ARGV[2] consumer, then entry ids.
-- Entries another consumer owns by now are left alone. An entry deleted outside the scheduler (XDEL, XTRIM) is not kept
-- alive: its run is cancelled, and once it is idle for the visibility timeout its task is forgotten (stream_forget.lua).
-- Returns { ids no longer this consumer's, ids deleted from the stream }.
local lost, gone = {}, {}
for i = 3, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) == 0 then
    lost[#lost + 1] = ARGV[i]
  elseif #redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i]) == 0 then
    gone[#gone + 1] = ARGV[i]
  else
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  end
end
return { lost, gone }
