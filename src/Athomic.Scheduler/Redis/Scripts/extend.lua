-- extend.lua: extend the leases of claims that a live worker still holds.
-- KEYS[1] inflight, KEYS[2] lease (see claim.lua)
-- ARGV[1] lease in ms, then pairs of task id and fencing token.
-- Only current claims are extended. Returns the tokens of the claims that are no longer current (lost: the lease
-- expired and the task was claimed again, or the task left the in-flight set).
-- The reply is read by ExtendReply (Redis/Replies/ExtendReply.cs), which keeps this layout in one place.
--#include _now
local deadline = server_now_ms() + tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i + 1]
  end
end
return lost
