-- _owner.lua (included by the operations scripts that show an in-flight task's owner):
-- The process that took fencing token t (claim.lua keeps one member 'first count owner' per claim batch), or ''.
local function owner_of(K_OWNER, t)
  if not t then return '' end
  local batch = redis.call('ZREVRANGEBYSCORE', K_OWNER, t, '-inf', 'LIMIT', 0, 1)[1]
  if not batch then return '' end
  local first, count, name = string.match(batch, '^(%d+) (%d+) (.*)$')
  if first and tonumber(t) < tonumber(first) + tonumber(count) then return name end
  return ''
end
