-- cancel.lua: remove a pending task. In-flight tasks are not cancelled.
-- KEYS[1] pending, KEYS[2] tasks
-- ARGV[1] task id
-- Returns 1 when a pending task was removed, else 0.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0
