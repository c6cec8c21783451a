-- flow_extend.lua: renew the slot leases of runs still going. A slot whose lease already expired is not taken again
-- (another run may hold the room now): the run is reported, so its worker cancels it and lets its claim go.
-- KEYS per run: slots, key slots (see flow_acquire.lua)
-- ARGV[1] lease in ms, then per run: member, which slots it holds (1 the handler slot, 2 the key slot, 3 both).
-- Returns the 0-based positions of the runs that lost a slot they held (it expired, or is gone).
--#include _now
local now = server_now_ms()
local deadline = now + tonumber(ARGV[1])
local lost = {}
for r = 0, (#ARGV - 1) / 2 - 1 do
  local member, holds = ARGV[2 + r * 2], tonumber(ARGV[3 + r * 2])
  local gone = false
  for k = 1, 2 do
    local key = KEYS[k + r * 2]
    local score = redis.call('ZSCORE', key, member)
    if score and tonumber(score) > now then
      redis.call('ZADD', key, 'XX', deadline, member)
      redis.call('PEXPIRE', key, tonumber(ARGV[1]) * 2)
    elseif math.floor(holds / k) % 2 == 1 then
      gone = true
    end
  end
  if gone then lost[#lost + 1] = r end
end
return lost
