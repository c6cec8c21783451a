-- stream_remove_consumers.lua: remove consumers of the group that are gone, each only while it holds no entry.
-- XGROUP DELCONSUMER drops a consumer's pending entries for good (nobody can reclaim them), so the check and the
-- removal happen in this one atomic step: a consumer that reads between a separate check and delete would lose
-- what it read.
-- KEYS[1] stream
-- ARGV[1] group, ARGV[2] the caller's consumer, ARGV[3] mode: 'self' removes only the caller's consumer,
--   'others' removes every other consumer idle longer than ARGV[4] ms; ARGV[4] min idle (ms, 'others' only).
-- Returns the names of the removed consumers.
local removed = {}
local self = ARGV[3] == 'self'
local minIdle = tonumber(ARGV[4]) or 0
for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending, idle
  for i = 1, #info, 2 do
    if info[i] == 'name' then name = info[i + 1]
    elseif info[i] == 'pending' then pending = info[i + 1]
    elseif info[i] == 'idle' then idle = info[i + 1] end
  end
  local gone
  if self then gone = name == ARGV[2] else gone = name ~= ARGV[2] and idle > minIdle end
  if gone and pending == 0 then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed[#removed + 1] = name
  end
end
return removed
