-- flow_acquire.lua: take the slots and rate tokens that runs need before they start, cluster-wide (all partitions' workers
-- take them here). Each request is decided in order and all or nothing: a handler slot (when it has MaxConcurrency),
-- a key slot (MaxConcurrencyPerKey) and a rate token (RateLimit); a paused handler gets nothing.
-- KEYS[1] paused (set of handler names), then per request: KEYS slots (zset: member -> lease deadline ms), key slots
-- (the same for the request's concurrency key), rate (zset: member -> start ms, the sliding window) (see FlowKeys)
-- ARGV[1] lease in ms, then per request: handler, member ('partition|task id|token', unique per claim), max concurrency,
-- max per key, rate, rate window in ms (0 for none).
-- A slot is a lease: expired members are dropped before counting, so a crashed worker's slots come back.
-- Returns per request: 1 granted, 0 refused by a limit, -1 paused, then the ms (server clock) when the rate window has
-- room again (0 when not refused by the rate).
--#include _now
local now = server_now_ms()
local deadline = now + tonumber(ARGV[1])
local out = {}
local paused = {}
local function over(key, max)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  return redis.call('ZCARD', key) >= max
end
for r = 0, (#ARGV - 1) / 6 - 1 do
  local a = 2 + r * 6
  local handler, member = ARGV[a], ARGV[a + 1]
  local maxc, maxk, rate, window = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local k_slots, k_keys, k_rate = KEYS[2 + r * 3], KEYS[3 + r * 3], KEYS[4 + r * 3]
  if paused[handler] == nil then paused[handler] = redis.call('SISMEMBER', KEYS[1], handler) == 1 end
  local status, retry = 1, 0
  if paused[handler] then
    status = -1
  elseif maxc > 0 and redis.call('ZSCORE', k_slots, member) == false and over(k_slots, maxc) then
    status = 0
  elseif maxk > 0 and redis.call('ZSCORE', k_keys, member) == false and over(k_keys, maxk) then
    status = 0
  elseif rate > 0 then
    redis.call('ZREMRANGEBYSCORE', k_rate, '-inf', now - window)
    if redis.call('ZSCORE', k_rate, member) == false and redis.call('ZCARD', k_rate) >= rate then
      status = 0
      local oldest = redis.call('ZRANGE', k_rate, 0, 0, 'WITHSCORES')
      retry = tonumber(oldest[2]) + window
    end
  end
  if status == 1 then
    if maxc > 0 then
      redis.call('ZADD', k_slots, deadline, member)
      redis.call('PEXPIRE', k_slots, tonumber(ARGV[1]) * 2)
    end
    if maxk > 0 then
      redis.call('ZADD', k_keys, deadline, member)
      redis.call('PEXPIRE', k_keys, tonumber(ARGV[1]) * 2)
    end
    if rate > 0 then
      redis.call('ZADD', k_rate, now, member)
      redis.call('PEXPIRE', k_rate, window + 1000)
    end
  end
  out[#out + 1] = status
  out[#out + 1] = retry
end
return out
