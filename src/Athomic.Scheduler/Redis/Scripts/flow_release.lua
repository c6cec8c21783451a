-- flow_release.lua: free the slots of runs that ended (only their own members: a stale claim's member is not a newer
-- claim's, so it frees nothing that one holds) and tell waiting workers which handlers may run more.
-- KEYS per run: slots, key slots (see flow_acquire.lua)
-- ARGV[1] channel, then per run: handler, member.
-- Returns the number of slots freed.
local n = 0
local told = {}
for r = 0, (#ARGV - 1) / 2 - 1 do
  local handler, member = ARGV[2 + r * 2], ARGV[3 + r * 2]
  local freed = redis.call('ZREM', KEYS[1 + r * 2], member) + redis.call('ZREM', KEYS[2 + r * 2], member)
  n = n + freed
  if freed > 0 and not told[handler] then
    told[handler] = true
    redis.call('PUBLISH', ARGV[1], 'f:' .. handler)
  end
end
return n
