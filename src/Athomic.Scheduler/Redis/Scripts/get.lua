-- get.lua: read a stored task and its state consistently.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] queued (hash: task id -> stream entry id), KEYS[5] stream
-- ARGV[1] task id
-- Returns { envelope, 1 pending or 2 in flight, score } or nil when the task is not stored. A task queued in the
-- stream (streams broker) is in flight; its score is its due time.
-- The reply is read by GetReply (Redis/Replies/GetReply.cs), which keeps this layout in one place.
local env = redis.call('HGET', KEYS[2], ARGV[1])
if env then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if score then return { env, 1, score } end
  score = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if score then return { env, 2, score } end
end
local eid = redis.call('HGET', KEYS[4], ARGV[1])
if not eid then return nil end
local entry = redis.call('XRANGE', KEYS[5], eid, eid)
if not entry[1] then return nil end
local fields = entry[1][2]
local e, d = nil, '0'
for i = 1, #fields, 2 do
  if fields[i] == 'e' then e = fields[i + 1] elseif fields[i] == 'd' then d = fields[i + 1] end
end
if e == nil or e == '' then return nil end
return { e, 2, d }
