-- recurring_add.lua: add one occurrence of a recurring schedule, only if it is later than the watermark.
-- KEYS[1] recurring, KEYS[2] rstate, KEYS[3] rdue, KEYS[4] pending, KEYS[5] tasks (see recurring_upsert.lua)
-- ARGV[1] wake channel, ARGV[2] schedule id, ARGV[3] revision read with the definition,
-- ARGV[4] occurrence (ms since the Unix epoch, '' when the schedule has no more), ARGV[5] task id, ARGV[6] envelope
-- The watermark moves in the same step, so each occurrence is added at most once, whatever races or restarts.
-- The schedule is re-indexed at the occurrence: when it falls due, the next one is added.
-- Returns 0 stale (removed or changed since read), 1 added, 2 already added, 3 finished.
local id = ARGV[2]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
if (redis.call('HGET', KEYS[2], 'r:' .. id) or '0') ~= ARGV[3] then return 0 end
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[3], id)
  return 3
end
local t = tonumber(ARGV[4])
local w = redis.call('HGET', KEYS[2], 'w:' .. id)
if w and t <= tonumber(w) then return 2 end
local head = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
redis.call('HSET', KEYS[5], ARGV[5], ARGV[6])
redis.call('ZADD', KEYS[4], t, ARGV[5])
if w then redis.call('HSET', KEYS[2], 'pw:' .. id, w) else redis.call('HDEL', KEYS[2], 'pw:' .. id) end
redis.call('HSET', KEYS[2], 'w:' .. id, ARGV[4], 'p:' .. id, ARGV[5])
redis.call('ZADD', KEYS[3], t, id)
if head[2] == nil or t < tonumber(head[2]) then redis.call('PUBLISH', ARGV[1], t) end
return 1
