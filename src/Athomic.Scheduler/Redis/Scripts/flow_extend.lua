-- flow_extend.lua: renew the slot leases of runs still going. A slot whose lease already expired is not taken again
-- (another run may hold the room now): its run goes on, but its task's own lease expired with it, so it is reclaimed.
-- KEYS per run: slots, key slots (see flow_acquire.lua)
-- ARGV[1] lease in ms, then per run: member.
-- Returns the number of slots renewed.
--#include _now
local now = server_now_ms()
local deadline = now + tonumber(ARGV[1])
local n = 0
for r = 0, #ARGV - 2 do
  local member = ARGV[2 + r]
  for k = 1, 2 do
    local key = KEYS[k + r * 2]
    local score = redis.call('ZSCORE', key, member)
    if score and tonumber(score) > now then
      redis.call('ZADD', key, 'XX', deadline, member)
      redis.call('PEXPIRE', key, tonumber(ARGV[1]) * 2)
      n = n + 1
    end
  end
end
return n
