-- stream_name_release.lua: give this process's consumer name of the streams broker back (stopping), so the next
-- process with that name starts at once. Another process's hold is left alone.
-- KEYS[1] the name's key (see stream_name.lua)
-- ARGV[1] this process
-- Returns 1 when released, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
