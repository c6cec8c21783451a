-- deadletters.lua: read the newest dead letters.
-- KEYS[1] dead, KEYS[2] dead index
-- ARGV[1] how many
-- Returns the records, newest first.
local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1, 'REV')
local out = {}
for i = 1, #ids do
  local r = redis.call('HGET', KEYS[1], ids[i])
  if r then out[#out + 1] = r end
end
return out
