-- recurring_due.lua: list recurring schedules whose next occurrence must be added now.
-- KEYS[1] recurring, KEYS[2] rstate, KEYS[3] rdue (see recurring_upsert.lua)
-- ARGV[1] batch size
-- Returns { now, next (the first index score after now, -1 if none), then per schedule: id, definition, watermark, revision }.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local after = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local out = { now, after[2] and tonumber(after[2]) or -1 }
local due = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
for i = 1, #due, 2 do
  if tonumber(due[i + 1]) > now then break end
  local id = due[i]
  local def = redis.call('HGET', KEYS[1], id)
  if def then
    out[#out + 1] = id
    out[#out + 1] = def
    out[#out + 1] = redis.call('HGET', KEYS[2], 'w:' .. id) or '0'
    out[#out + 1] = redis.call('HGET', KEYS[2], 'r:' .. id) or '0'
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
return out
