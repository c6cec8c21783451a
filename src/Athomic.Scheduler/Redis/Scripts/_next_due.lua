-- _next_due.lua (included by claim.lua and promote.lua): next_due() is the time in ms until the first pending task
-- falls due or the first in-flight lease expires (0 when already past), or -1 when there is neither.
-- Needs now, K_PENDING and K_INFLIGHT. Tasks that flow control holds back (scored 2^50 + due, see park.lua) are not
-- due: the release of a slot, not the clock, lets them run.
local function next_due()
  local p = redis.call('ZRANGE', K_PENDING, 0, 0, 'WITHSCORES')
  local i = redis.call('ZRANGE', K_INFLIGHT, 0, 0, 'WITHSCORES')
  local nxt = nil
  if p[2] and tonumber(p[2]) < 1125899906842624 then nxt = tonumber(p[2]) end
  if i[2] and (nxt == nil or tonumber(i[2]) < nxt) then nxt = tonumber(i[2]) end
  if nxt == nil then return -1 end
  if nxt < now then return 0 end
  return nxt - now
end
