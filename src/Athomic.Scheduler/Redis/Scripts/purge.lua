-- purge.lua: delete dead letters for good.
-- KEYS[1] dead, KEYS[2] dead index
-- ARGV: task ids, each of whose dead letters is deleted (_dead.lua); none purges every dead letter.
-- Returns the number of dead letters deleted.
local K_DEAD, K_DEAD_INDEX = KEYS[1], KEYS[2]
--#include _dead
if #ARGV == 0 then
  local n = redis.call('ZCARD', KEYS[2])
  redis.call('UNLINK', KEYS[1], KEYS[2])
  return n
end
local n = 0
for i = 1, #ARGV do
  n = n + dead_purge(ARGV[i])
end
return n
