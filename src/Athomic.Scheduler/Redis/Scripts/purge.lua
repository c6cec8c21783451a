-- purge.lua: delete dead letters for good.
-- KEYS[1] dead, KEYS[2] dead index
-- ARGV: task ids; none purges every dead letter.
-- Returns the number of dead letters deleted.
if #ARGV == 0 then
  local n = redis.call('ZCARD', KEYS[2])
  redis.call('UNLINK', KEYS[1], KEYS[2])
  return n
end
local n = 0
for i = 1, #ARGV do
  n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
return n
