-- promote.lua: move due tasks (expired in-flight leases first) from the schedule straight into the stream, in one
-- atomic step: a task is always either in the schedule or in the stream, never in between.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] stream, KEYS[5] queued (hash: task id -> entry id),
-- KEYS[6] recurring state, KEYS[7] recurring due, KEYS[8] recurring next (see recurring_upsert.lua),
-- KEYS[9] reclaims, KEYS[10] lease (see claim.lua), KEYS[11] parked (see park.lua), KEYS[12] urgent, KEYS[13] priority
-- (see _take_due.lua: due tasks are promoted by effective priority), KEYS[14] dead, KEYS[15] dead index (see _dead.lua)
-- ARGV[1] batch size, ARGV[2] most dead letters kept (0: no limit), ARGV[3] longest a dead letter is kept, ms (0: no limit)
-- Each task becomes one entry { t = task id, e = envelope ('' when missing), d = due time or lease expiry (ms) };
-- its details move from the tasks hash into the entry. Promoting a recurring occurrence adds the schedule's next
-- one in the same step (_chain.lua). An expired lease leaves with its claim's fencing token and its count of expired
-- leases, so the run that lost it can no longer end it. Every promotion also trims the dead letters (at most 100,
-- _dead.lua), as claim.lua does.
-- Returns { now, next (ms until the next pending due time or lease expiry, -1 if none), number promoted,
--           recurring occurrences chained, tasks waiting for flow control }.
-- The reply is read by PromoteReply (Redis/Replies/PromoteReply.cs), which keeps this layout in one place.
local K_PENDING, K_TASKS, K_INFLIGHT, K_RSTATE, K_RDUE, K_RNEXT = KEYS[1], KEYS[2], KEYS[3], KEYS[6], KEYS[7], KEYS[8]
local K_URGENT, K_PRIORITY = KEYS[12], KEYS[13]
local K_DEAD, K_DEAD_INDEX = KEYS[14], KEYS[15]
--#include _now
local now = server_now_ms()
--#include _chain
--#include _next_due
--#include _take_due
--#include _dead
local max = tonumber(ARGV[1])
local n = 0

local function push(id, score)
  local env = redis.call('HGET', K_TASKS, id) or ''
  redis.call('HDEL', K_TASKS, id)
  local eid = redis.call('XADD', KEYS[4], '*', 't', id, 'e', env, 'd', score)
  redis.call('HSET', KEYS[5], id, eid)
  n = n + 1
end

local expired = redis.call('ZRANGE', K_INFLIGHT, 0, max - 1, 'WITHSCORES')
local taken = 0
for i = 1, #expired, 2 do
  if tonumber(expired[i + 1]) > now then break end
  push(expired[i], expired[i + 1])
  redis.call('HDEL', KEYS[9], expired[i])
  redis.call('HDEL', KEYS[10], expired[i])
  taken = taken + 1
end
if taken > 0 then redis.call('ZREMRANGEBYRANK', K_INFLIGHT, 0, taken - 1) end

local promoted, promoted_scores = take_due(max - n)
for i = 1, #promoted do push(promoted[i], promoted_scores[i]) end

-- After the ranks above are removed, so an occurrence chained here is never promoted with this batch.
local chained = 0
for i = 1, #promoted do
  if chain(promoted[i]) then chained = chained + 1 end
end

trim_dead(now, tonumber(ARGV[2]), tonumber(ARGV[3]))
return { now, next_due(), n, chained, redis.call('ZCARD', KEYS[11]) }
