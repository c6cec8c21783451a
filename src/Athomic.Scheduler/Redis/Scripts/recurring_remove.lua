-- recurring_remove.lua: remove a recurring schedule and cancel its occurrences still pending.
-- KEYS[1] recurring, KEYS[2] rstate, KEYS[3] rdue, KEYS[4] pending, KEYS[5] tasks, KEYS[6] rnext
-- (see recurring_upsert.lua)
-- ARGV[1] schedule id
-- The revision and watermark stay, so a stale add is refused and adding the schedule again never repeats an
-- occurrence that was dispatched.
-- Returns 1 when the schedule existed, else 0.
local id = ARGV[1]
if redis.call('HDEL', KEYS[1], id) == 0 then return 0 end
redis.call('ZREM', KEYS[3], id)
redis.call('HINCRBY', KEYS[2], 'r:' .. id, 1)
local p = redis.call('HGET', KEYS[2], 'p:' .. id)
local pw = redis.call('HGET', KEYS[2], 'pw:' .. id)
if p then redis.call('HDEL', KEYS[6], p) end
if p and redis.call('ZREM', KEYS[4], p) == 1 then
  -- Never dispatched: take its watermark back, so adding the schedule again can still run that occurrence.
  redis.call('HDEL', KEYS[5], p)
  if pw then redis.call('HSET', KEYS[2], 'w:' .. id, pw) end
end
if pw then
  local prev = id .. '@' .. pw
  if redis.call('ZREM', KEYS[4], prev) == 1 then redis.call('HDEL', KEYS[5], prev) end
end
redis.call('HDEL', KEYS[2], 'p:' .. id, 'pw:' .. id, 't:' .. id)
return 1
