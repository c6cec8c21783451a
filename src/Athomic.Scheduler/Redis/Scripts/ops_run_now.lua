-- ops_run_now.lua: make a pending task due at the server's now (ISchedulerOperations.RunNowAsync); its payload and
-- attempt stay. A claimed or queued task is not touched.
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] queued (streams broker)
-- ARGV[1] task id, ARGV[2] wake channel
-- Returns 1 when it is pending and now due, 2 when it is in flight, 3 when no such task is pending or in flight.
-- A task that waits for flow control (scored 2^50 + due, see park.lua) is due already and keeps its place: it runs
-- when its handler has a slot or is resumed.
--#include _now
local id = ARGV[1]
local due = redis.call('ZSCORE', KEYS[1], id)
if due then
  local now = server_now_ms()
  if tonumber(due) > now and tonumber(due) < 1125899906842624 then
    local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    redis.call('ZADD', KEYS[1], 'XX', now, id)
    if now < tonumber(head[2]) then redis.call('PUBLISH', ARGV[2], now) end
  end
  return 1
end
if redis.call('ZSCORE', KEYS[2], id) or redis.call('HEXISTS', KEYS[3], id) == 1 then return 2 end
return 3
