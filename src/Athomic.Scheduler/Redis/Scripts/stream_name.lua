-- stream_name.lua: take or keep this process's consumer name of the streams broker for a lease. Every ownership check
-- of the streams compares consumer names, so one name must never serve two running processes at once.
-- KEYS[1] the name's key (string: the process holding the name, with a time to live)
-- ARGV[1] this process (a value unique to its start), ARGV[2] lease (ms)
-- A name that is free, or this process's, is this process's for the lease from now on; another's is left alone.
-- Returns { 1 } when the name is this process's now, else { 0, holder, ms left on its lease (-1: none set) }.
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return { 1 }
end
return { 0, holder, redis.call('PTTL', KEYS[1]) }
