-- recurring_due.lua: list recurring schedules a worker must look at now.
-- KEYS[1] recurring, KEYS[2] rstate, KEYS[3] rdue, KEYS[4] rnext, KEYS[5] pending (see recurring_upsert.lua)
-- ARGV[1] batch size
-- Returns { now, next (the first index score after now, -1 if none), then per schedule: id, definition, watermark,
--           revision, state of its latest occurrence: 0 none, 1 pending without a prepared successor, 2 pending with
--           one, 3 no longer pending (dispatched or cancelled), then its task id ('' when none), then the trace context
--           of the call that stored the definition ('' when none) }.
-- The reply is read by RecurringDueReply (Redis/Replies/RecurringDueReply.cs), which keeps this layout in one place.
--#include _now
local now = server_now_ms()
local after = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local out = { now, after[2] and tonumber(after[2]) or -1 }
local due = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
for i = 1, #due, 2 do
  if tonumber(due[i + 1]) > now then break end
  local id = due[i]
  local def = redis.call('HGET', KEYS[1], id)
  if def then
    local p = redis.call('HGET', KEYS[2], 'p:' .. id)
    local state = 0
    if p then
      if redis.call('ZSCORE', KEYS[5], p) then state = 1 + redis.call('HEXISTS', KEYS[4], p) else state = 3 end
    end
    out[#out + 1] = id
    out[#out + 1] = def
    out[#out + 1] = redis.call('HGET', KEYS[2], 'w:' .. id) or '0'
    out[#out + 1] = redis.call('HGET', KEYS[2], 'r:' .. id) or '0'
    out[#out + 1] = state
    out[#out + 1] = p or ''
    out[#out + 1] = redis.call('HGET', KEYS[2], 't:' .. id) or ''
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
return out
