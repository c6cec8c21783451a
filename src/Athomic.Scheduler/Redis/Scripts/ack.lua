-- ack.lua: forget in-flight tasks that the broker accepted for good.
-- KEYS[1] inflight, KEYS[2] tasks, KEYS[3] reclaims (hash: task id -> leases expired since it left the schedule)
-- ARGV: task ids. Only tasks still in flight are removed, so a task rescheduled meanwhile keeps its new details.
-- Returns the number of tasks removed.
local n = 0
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    n = n + 1
  end
end
return n
