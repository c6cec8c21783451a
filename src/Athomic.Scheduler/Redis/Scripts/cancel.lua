-- cancel.lua: remove the pending version of a task, or the version held back behind its run. A running (claimed or
-- queued) version is not cancelled: it runs to its end.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] deferred, KEYS[4] reclaims, KEYS[5] parked, KEYS[6] parked:by (see schedule.lua,
-- claim.lua and park.lua: a task that waits for a flow-control slot is pending too, unless it is marked claimed: a version
-- was held back behind it, so it runs as a claimed one), KEYS[7] urgent, KEYS[8] priority
-- ARGV[1] task id
-- Returns 1 when a pending or held-back version was removed, else 0.
local id = ARGV[1]
local by = redis.call('HGET', KEYS[6], id)
if by and string.sub(by, 1, 1) == '!' then
  -- Waiting, but claimed (a version was held back behind it): it runs; only the held-back version can be cancelled.
  return redis.call('HDEL', KEYS[3], id)
end
if redis.call('ZREM', KEYS[1], id) == 1 then
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[8], id)
  redis.call('ZREM', KEYS[7], id)
  if by then
    redis.call('ZREM', KEYS[5], by)
    redis.call('HDEL', KEYS[6], id)
  end
  return 1
end
return redis.call('HDEL', KEYS[3], id)
