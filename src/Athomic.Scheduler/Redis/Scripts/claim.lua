-- claim.lua: move due tasks (expired leases first) into the in-flight set under a lease, in one atomic step.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight (zset: task id -> lease deadline), KEYS[4] recurring state,
-- KEYS[5] recurring due, KEYS[6] recurring next (see recurring_upsert.lua), KEYS[7] reclaims (hash: task id -> how
-- many of its leases expired since a handler last finished it; ack, retry and dead-letter clear it),
-- KEYS[8] lease (hash: task id -> fencing token of its current claim), KEYS[9] fence (the token counter, see _fence.lua)
-- KEYS[10] owner (zset: one member 'first token, count, owner' per claim batch, scored by its first token: which
-- process took a token, for operators; about the latest ARGV[4] batches are kept), KEYS[11] parked (see park.lua),
-- KEYS[12] urgent, KEYS[13] priority (see _take_due.lua: due tasks are taken by effective priority),
-- KEYS[14] dead, KEYS[15] dead index (see _dead.lua)
-- ARGV[1] batch size, ARGV[2] lease in ms, ARGV[3] the claiming process's name, ARGV[4] owner batches kept,
-- ARGV[5] most dead letters kept (0: no limit), ARGV[6] longest a dead letter is kept, ms (0: no limit)
-- Returns { now, next (ms until the next pending due time or lease expiry, -1 if none), recurring occurrences chained,
--           fencing token base, tasks waiting for flow control, then per task: id, due-or-expired score, envelope ('' if missing), 0 when fresh from
--           the schedule, else how many of its leases have expired (1 or more) }. The k-th task's token is base + k.
-- Every claim gets a new fencing token: ack, retry, release, dead-letter and extend act only with the token of the
-- current claim, so a run whose lease expired and was claimed again can never end the newer claim.
-- Claims by rank, then checks scores (cheap on Redis and on servers where wide ZRANGEBYSCORE is slow), taking tasks with a
-- priority first by their effective priority (_take_due.lua).
-- Claiming a recurring occurrence adds the schedule's next one in the same step (_chain.lua).
-- Every claim also trims the dead letters (at most 100, _dead.lua): the workers' polls visit every partition, so
-- letters past their age go even where nothing is dead-lettered any more.
-- The reply is read by ClaimReply (Redis/Replies/ClaimReply.cs), which keeps this layout in one place.
local K_PENDING, K_TASKS, K_INFLIGHT, K_RSTATE, K_RDUE, K_RNEXT = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_RECLAIMS, K_LEASE, K_FENCE, K_OWNER = KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local K_URGENT, K_PRIORITY = KEYS[12], KEYS[13]
local K_DEAD, K_DEAD_INDEX = KEYS[14], KEYS[15]
--#include _now
local now = server_now_ms()
--#include _chain
--#include _next_due
--#include _take_due
--#include _fence
--#include _dead
local max = tonumber(ARGV[1])
local deadline = now + tonumber(ARGV[2])
local out = { now, -1, 0, 0, redis.call('ZCARD', KEYS[11]) }
local ids, scores, expired_counts = {}, {}, {}

-- Expired leases are read only when the earliest one has run out: most claims find none, and reading a batch of
-- leases only to see that costs the server a formatted score per lease.
local head = redis.call('ZRANGE', K_INFLIGHT, 0, 0, 'WITHSCORES')
if head[2] and tonumber(head[2]) <= now then
  local expired = redis.call('ZRANGE', K_INFLIGHT, 0, max - 1, 'WITHSCORES')
  for i = 1, #expired, 2 do
    if tonumber(expired[i + 1]) > now then break end
    local id = expired[i]
    ids[#ids + 1] = id
    scores[#scores + 1] = expired[i + 1]
    expired_counts[#expired_counts + 1] = redis.call('HINCRBY', K_RECLAIMS, id, 1)
  end
end

local claimed, claimed_scores = take_due(max - #ids)
for i = 1, #claimed do
  ids[#ids + 1] = claimed[i]
  scores[#scores + 1] = claimed_scores[i]
  expired_counts[#expired_counts + 1] = 0
end

-- One command each for the whole batch (a command per task costs more than its work): leases, tokens, envelopes.
if #ids > 0 then
  -- Tokens base + 1 .. base + #ids, unique across rollbacks, and who took them (one member per batch, not per task).
  local base = take_tokens(K_FENCE, K_OWNER, #ids, now, ARGV[3], ARGV[4])
  -- Numbers go to Redis as strings made here with %d: a Lua number argument is formatted by the server with %.17g,
  -- a costly float formatting, once per task. The deadline is the same for the whole batch, so it is made once.
  local leases, tokens = {}, {}
  local deadline_arg = string.format('%d', deadline)
  for i = 1, #ids do
    leases[#leases + 1] = deadline_arg
    leases[#leases + 1] = ids[i]
    tokens[#tokens + 1] = ids[i]
    tokens[#tokens + 1] = string.format('%d', base + i)
  end
  -- In slices of 4,000 arguments: Lua's unpack is limited to about 8,000 values (BatchSize goes up to 10,000).
  local envelopes = {}
  for i = 1, #leases, 4000 do
    local j = math.min(i + 3999, #leases)
    redis.call('ZADD', K_INFLIGHT, unpack(leases, i, j))
    redis.call('HSET', K_LEASE, unpack(tokens, i, j))
  end
  for i = 1, #ids, 4000 do
    local part = redis.call('HMGET', K_TASKS, unpack(ids, i, math.min(i + 3999, #ids)))
    for k = 1, #part do envelopes[#envelopes + 1] = part[k] end
  end
  for i = 1, #ids do
    out[#out + 1] = ids[i]
    out[#out + 1] = scores[i]
    out[#out + 1] = envelopes[i] or ''
    out[#out + 1] = expired_counts[i]
  end
  out[4] = base
end

-- After the ranks above are removed, so an occurrence chained here is never taken for a claimed task.
for i = 1, #claimed do
  if chain(claimed[i]) then out[3] = out[3] + 1 end
end

out[2] = next_due()
trim_dead(now, tonumber(ARGV[5]), tonumber(ARGV[6]))
return out
