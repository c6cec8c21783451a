-- ops_waiting.lua: how many due tasks wait for flow control in one partition, per handler (ISchedulerOperations
-- .ListHandlersAsync): one ZLEXCOUNT each over the handler's range of the parked index, O(log n).
-- KEYS[1] parked (zset, all scores 0, member 'handler \0 key \0 due \0 id', see park.lua)
-- ARGV: handler names (valid names hold no control character, so '[handler\0' to '(handler\1' is exactly one handler's
-- members).
-- Returns one count per handler, in ARGV's order.
local out = {}
for i = 1, #ARGV do
  out[i] = redis.call('ZLEXCOUNT', KEYS[1], '[' .. ARGV[i] .. '\0', '(' .. ARGV[i] .. '\1')
end
return out
