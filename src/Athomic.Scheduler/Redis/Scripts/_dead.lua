-- _dead.lua (included by the scripts that write, requeue, purge or trim dead letters): the dead letters of a
-- partition, every one kept. Needs K_DEAD (hash: key -> record) and K_DEAD_INDEX (zset: key -> time written, ms).
-- A task's newest dead letter has its id as key, so every call by id (read, requeue, the operators' task view) sees
-- it. When a task is dead-lettered again while it has one, the older letter moves to the key '<id> #<n>' with its
-- time (n = 1, 2, ... from a counter in field '<id> #' of K_DEAD; an id never holds a space), so both are kept, listed,
-- counted and trimmed; when the newest goes (requeued, trimmed), the newest older one takes the id again.
local function dead_add(id, record, now)
  local old = redis.call('HGET', K_DEAD, id)
  if old then
    local key = id .. ' #' .. redis.call('HINCRBY', K_DEAD, id .. ' #', 1)
    redis.call('HSET', K_DEAD, key, old)
    redis.call('ZADD', K_DEAD_INDEX, redis.call('ZSCORE', K_DEAD_INDEX, id) or now, key)
  end
  redis.call('HSET', K_DEAD, id, record)
  redis.call('ZADD', K_DEAD_INDEX, now, id)
end

-- Removes the newest dead letter of id; the newest older one still kept (if any) takes its key.
local function dead_pop(id)
  redis.call('HDEL', K_DEAD, id)
  redis.call('ZREM', K_DEAD_INDEX, id)
  local n = tonumber(redis.call('HGET', K_DEAD, id .. ' #') or '0')
  while n > 0 do
    local key = id .. ' #' .. n
    n = n - 1
    local record = redis.call('HGET', K_DEAD, key)
    if record then
      local at = redis.call('ZSCORE', K_DEAD_INDEX, key) or 0
      redis.call('HDEL', K_DEAD, key)
      redis.call('ZREM', K_DEAD_INDEX, key)
      redis.call('HSET', K_DEAD, id, record)
      redis.call('ZADD', K_DEAD_INDEX, at, id)
      break
    end
  end
  if n > 0 then redis.call('HSET', K_DEAD, id .. ' #', n) else redis.call('HDEL', K_DEAD, id .. ' #') end
end

-- Removes every dead letter of id; returns how many there were.
local function dead_purge(id)
  local removed = redis.call('HDEL', K_DEAD, id)
  redis.call('ZREM', K_DEAD_INDEX, id)
  local n = tonumber(redis.call('HGET', K_DEAD, id .. ' #') or '0')
  for k = 1, n do
    local key = id .. ' #' .. k
    removed = removed + redis.call('HDEL', K_DEAD, key)
    redis.call('ZREM', K_DEAD_INDEX, key)
  end
  redis.call('HDEL', K_DEAD, id .. ' #')
  return removed
end

-- Removes one dead letter by its key (the oldest ones go first, so an id's newest goes after its older ones).
local function dead_remove(key)
  if string.find(key, ' ', 1, true) then
    redis.call('HDEL', K_DEAD, key)
    redis.call('ZREM', K_DEAD_INDEX, key)
  else
    dead_pop(key)
  end
end

-- trim_dead(now, max_count, max_age_ms) removes the oldest dead letters beyond max_count and those older than
-- max_age_ms (0 disables either rule), at most 100 per call, so a script stays short; each dead letter written and
-- each worker's poll trims up to 100, so the set converges to the limits.
local function trim_dead(now, max_count, max_age_ms)
  local budget = 100
  if max_age_ms > 0 then
    local old = redis.call('ZRANGEBYSCORE', K_DEAD_INDEX, '-inf', '(' .. (now - max_age_ms), 'LIMIT', 0, budget)
    for i = 1, #old do dead_remove(old[i]) end
    budget = budget - #old
  end
  if max_count > 0 and budget > 0 then
    local over = redis.call('ZCARD', K_DEAD_INDEX) - max_count
    if over > 0 then
      if over > budget then over = budget end
      local oldest = redis.call('ZRANGE', K_DEAD_INDEX, 0, over - 1)
      for i = 1, #oldest do dead_remove(oldest[i]) end
    end
  end
end
