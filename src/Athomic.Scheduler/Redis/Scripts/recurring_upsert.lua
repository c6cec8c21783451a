-- recurring_upsert.lua: store a recurring definition; a change cancels the occurrence not yet dispatched.
-- KEYS[1] recurring (hash: schedule id -> definition)
-- KEYS[2] rstate    (hash: 'r:'..id revision, 'w:'..id watermark, 'p:'..id pending occurrence task id,
--                    'pw:'..id watermark before that occurrence)
-- KEYS[3] rdue      (zset: schedule id -> when a worker must next look at it: 0 to add an occurrence or prepare a
--                    successor, else pending occurrence + misfire threshold, see recurring_add.lua)
-- KEYS[4] pending, KEYS[5] tasks
-- KEYS[6] rnext     (hash: pending occurrence task id -> its prepared successor, see _chain.lua)
-- ARGV[1] wake channel, ARGV[2] schedule id, ARGV[3] definition, ARGV[4] trace context of the call ('' when none):
-- kept as 't:'..id when the definition is created or changed (it is not compared), for the occurrences to link to
-- Returns 0 unchanged, 1 created, 2 updated.
--#include _now
local id = ARGV[2]
local cur = redis.call('HGET', KEYS[1], id)
if cur == ARGV[3] then return 0 end
local now = server_now_ms()
redis.call('HSET', KEYS[1], id, ARGV[3])
redis.call('HINCRBY', KEYS[2], 'r:' .. id, 1)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 't:' .. id, ARGV[4]) else redis.call('HDEL', KEYS[2], 't:' .. id) end
local w = tonumber(redis.call('HGET', KEYS[2], 'w:' .. id) or '0')
if cur then
  -- Still pending means never dispatched: cancel it and take its watermark back, so the new definition
  -- decides that occurrence again.
  local p = redis.call('HGET', KEYS[2], 'p:' .. id)
  if p then redis.call('HDEL', KEYS[6], p) end
  if p and redis.call('ZREM', KEYS[4], p) == 1 then
    redis.call('HDEL', KEYS[5], p)
    w = tonumber(redis.call('HGET', KEYS[2], 'pw:' .. id) or '0')
    redis.call('HDEL', KEYS[2], 'p:' .. id)
  end
else
  -- A new schedule (or one added again after removal) starts after now: nothing earlier is "missed".
  if now > w then w = now end
end
redis.call('HSET', KEYS[2], 'w:' .. id, w)
redis.call('ZADD', KEYS[3], 0, id)
redis.call('PUBLISH', ARGV[1], now)
if cur then return 2 end
return 1
