-- ops_recurring.lua: recurring schedules for operators (ISchedulerOperations.ListRecurringAsync): one HSCAN step over
-- the definitions (about ARGV[2] of them; a small hash comes whole), or, with ARGV[3], one schedule.
-- KEYS[1] recurring (id -> definition), KEYS[2] recurring state (see recurring_upsert.lua), KEYS[3] pending
-- ARGV[1] HSCAN cursor ('0' to start), ARGV[2] count hint, ARGV[3] one schedule id ('' to scan)
-- Returns { next cursor ('0' when done), then per schedule: id, definition, watermark ('' unknown), pending
--           occurrence's task id ('' none), its due time ('' when it is not pending) }, read by OpsRecurringReply
-- (Redis/Replies/OpsRecurringReply.cs).
local out = { '0' }
local function add(id, definition)
  local state = redis.call('HMGET', KEYS[2], 'w:' .. id, 'p:' .. id)
  local due = state[2] and redis.call('ZSCORE', KEYS[3], state[2])
  out[#out + 1] = id
  out[#out + 1] = definition
  out[#out + 1] = state[1] or ''
  out[#out + 1] = due and state[2] or ''
  out[#out + 1] = due or ''
end
if ARGV[3] ~= '' then
  local definition = redis.call('HGET', KEYS[1], ARGV[3])
  if definition then add(ARGV[3], definition) end
  return out
end
local page = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', tonumber(ARGV[2]))
out[1] = page[1]
local fields = page[2]
for i = 1, #fields, 2 do add(fields[i], fields[i + 1]) end
return out
