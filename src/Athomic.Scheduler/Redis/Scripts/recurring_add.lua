-- recurring_add.lua: add one occurrence of a recurring schedule (only if it is later than the watermark) and prepare
-- its successor, which claim.lua / promote.lua add when they dispatch the occurrence (_chain.lua).
-- KEYS[1] recurring, KEYS[2] rstate, KEYS[3] rdue, KEYS[4] pending, KEYS[5] tasks, KEYS[6] rnext
-- (see recurring_upsert.lua)
-- ARGV[1] wake channel, ARGV[2] schedule id, ARGV[3] revision read with the definition,
-- ARGV[4] occurrence (ms since the Unix epoch, '' when the schedule has no more), ARGV[5] its task id,
-- ARGV[6] its envelope, ARGV[7] the successor's time ('' when there is none), ARGV[8] the successor's envelope,
-- ARGV[9] misfire threshold (ms), ARGV[10] '1' to only prepare the successor of the occurrence, which must be the
-- watermark and still pending as ARGV[5] (once dispatched, a successor prepared for it would never be added);
-- ARGV[10] '2' to add nothing and only re-index the schedule, if still due, at now + ARGV[9] (ms): a worker that
-- cannot read the definition leaves it to the workers that can, without finishing it or looking at it in a loop

-- The watermark moves in the same step, so each occurrence is added at most once, whatever races or restarts.
-- The schedule is re-indexed at max(occurrence, now) + threshold: a worker looks at it again then, in case its
-- dispatch has not happened (its successor is prepared again) or the occurrence was cancelled (the next one is added).
-- Returns 0 stale (removed or changed since read), 1 added, 2 already added (or, deferring: re-indexed later by
-- another worker, or no longer indexed), 3 finished, 4 successor prepared, 5 deferred.
--#include _now
local id = ARGV[2]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
local rev = redis.call('HGET', KEYS[2], 'r:' .. id) or '0'
if rev ~= ARGV[3] then return 0 end
if ARGV[10] == '2' then
  local now = server_now_ms()
  local due = redis.call('ZSCORE', KEYS[3], id)
  if not due or tonumber(due) > now then return 2 end
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[9]), id)
  return 5
end
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[3], id)
  return 3
end
local t = tonumber(ARGV[4])
local w = redis.call('HGET', KEYS[2], 'w:' .. id)
local p = redis.call('HGET', KEYS[2], 'p:' .. id)
local status = 4
if ARGV[10] == '1' then
  if w == false or t ~= tonumber(w) or p ~= ARGV[5] or not redis.call('ZSCORE', KEYS[4], p) then return 2 end
elseif w == false or t > tonumber(w) then
  local head = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  redis.call('HSET', KEYS[5], ARGV[5], ARGV[6])
  redis.call('ZADD', KEYS[4], t, ARGV[5])
  if w then redis.call('HSET', KEYS[2], 'pw:' .. id, w) else redis.call('HDEL', KEYS[2], 'pw:' .. id) end
  if p then redis.call('HDEL', KEYS[6], p) end
  redis.call('HSET', KEYS[2], 'w:' .. id, ARGV[4], 'p:' .. id, ARGV[5])
  if head[2] == nil or t < tonumber(head[2]) then redis.call('PUBLISH', ARGV[1], t) end
  status = 1
else
  return 2
end
local threshold = tonumber(ARGV[9])
if ARGV[7] ~= '' then
  local latest = tonumber(ARGV[7]) + threshold
  redis.call('HSET', KEYS[6], ARGV[5], rev .. ' ' .. ARGV[7] .. ' ' .. id .. ' ' .. latest .. '\n' .. ARGV[8])
end
local now = server_now_ms()
if now > t then t = now end
redis.call('ZADD', KEYS[3], t + threshold, id)
return status
