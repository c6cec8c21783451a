-- _dead_trim.lua (included by the scripts that write a dead letter): trim_dead(now, max_count, max_age_ms) removes
-- the oldest dead letters beyond max_count and those older than max_age_ms (0 disables either rule), at most 100 per
-- call, so a script stays short; each dead letter written trims up to 100, so the set converges to the limits.
-- Needs K_DEAD (hash: id -> record) and K_DEAD_INDEX (zset: id -> time written).
local function trim_dead(now, max_count, max_age_ms)
  local budget = 100
  if max_age_ms > 0 then
    local old = redis.call('ZRANGEBYSCORE', K_DEAD_INDEX, '-inf', '(' .. (now - max_age_ms), 'LIMIT', 0, budget)
    if #old > 0 then
      redis.call('HDEL', K_DEAD, unpack(old))
      redis.call('ZREM', K_DEAD_INDEX, unpack(old))
      budget = budget - #old
    end
  end
  if max_count > 0 and budget > 0 then
    local over = redis.call('ZCARD', K_DEAD_INDEX) - max_count
    if over > 0 then
      if over > budget then over = budget end
      local oldest = redis.call('ZRANGE', K_DEAD_INDEX, 0, over - 1)
      redis.call('HDEL', K_DEAD, unpack(oldest))
      redis.call('ZREMRANGEBYRANK', K_DEAD_INDEX, 0, over - 1)
    end
  end
end
