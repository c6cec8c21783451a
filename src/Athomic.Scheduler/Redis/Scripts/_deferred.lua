-- _deferred.lua (included by the scripts that end a claim): promote_deferred(id) makes the version of id that was
-- scheduled while it ran (K_DEFERRED: hash task id -> '<due ms>\n<envelope>', written by schedule.lua) the pending
-- version, due at the time it was scheduled for, and wakes the workers when it is the new head. Needs K_PENDING,
-- K_TASKS, K_DEFERRED and WAKE (the wake channel). Returns true when id had such a version.
local function promote_deferred(id)
  local d = redis.call('HGET', K_DEFERRED, id)
  if not d then return false end
  redis.call('HDEL', K_DEFERRED, id)
  local nl = string.find(d, '\n', 1, true)
  local due = tonumber(string.sub(d, 1, nl - 1))
  redis.call('HSET', K_TASKS, id, string.sub(d, nl + 1))
  redis.call('ZADD', K_PENDING, due, id)
  -- Scripts that name K_URGENT and K_PRIORITY keep its priority (see _take_due.lua); the others leave it unindexed.
  if K_URGENT and redis.call('HEXISTS', K_PRIORITY, id) == 1 then redis.call('ZADD', K_URGENT, due, id) end
  local head = redis.call('ZRANGE', K_PENDING, 0, 0)
  if head[1] == id then redis.call('PUBLISH', WAKE, due) end
  return true
end
