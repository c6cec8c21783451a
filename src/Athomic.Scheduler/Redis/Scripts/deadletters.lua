-- deadletters.lua: read one page of dead letters, newest first.
-- KEYS[1] dead (hash: key -> record), KEYS[2] dead index (zset: key -> time; the key is the task id, or '<id> #<n>'
-- for its earlier dead letters: see _dead.lua)
-- ARGV[1] offset, ARGV[2] how many
-- Returns { total, then per letter: key, record }.
-- The reply is read by DeadLettersReply (Redis/Replies/DeadLettersReply.cs), which keeps this layout in one place.
local first = tonumber(ARGV[1])
local ids = redis.call('ZRANGE', KEYS[2], first, first + tonumber(ARGV[2]) - 1, 'REV')
local out = { redis.call('ZCARD', KEYS[2]) }
for i = 1, #ids do
  local r = redis.call('HGET', KEYS[1], ids[i])
  if r then
    out[#out + 1] = ids[i]
    out[#out + 1] = r
  end
end
return out
