-- release.lua: hand claimed tasks back to the schedule, due now (a worker shutting down), if their claims are current.
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] lease (see claim.lua), KEYS[4] urgent, KEYS[5] priority (_take_due.lua)
-- ARGV[1] wake channel, then pairs of task id and fencing token.
-- A version held back behind a released task stays held back: it becomes pending when the released task has run.
-- Returns the number of tasks handed back.
--#include _now
local now = server_now_ms()
local n = 0
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[3], id) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZADD', KEYS[1], now, id)
    if redis.call('HEXISTS', KEYS[5], id) == 1 then redis.call('ZADD', KEYS[4], now, id) end
    n = n + 1
  end
end
if n > 0 then redis.call('PUBLISH', ARGV[1], now) end
return n
