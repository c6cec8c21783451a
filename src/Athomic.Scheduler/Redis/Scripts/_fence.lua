-- _fence.lua (included by the scripts that claim: claim.lua, unpark.lua): take_tokens(fence, owner, n, now, name,
-- kept) reserves fencing tokens base + 1 .. base + n for one claim batch, records which process took them, and
-- returns base.
-- Tokens never repeat, even when the counter goes back. A failover to a replica that was behind, or a restart that
-- lost the last second of an append-only file, rolls the counter back; a bare INCRBY would then hand out a token
-- that a live worker still holds, and that worker's ack would end the new claim. So the counter is floored at the
-- server's time in ms times 1,024 (2^51 in 2026; Lua's numbers are exact to 2^53): after a rollback, tokens start
-- above every token issued before, provided the new master's clock is not behind the old one's and the counter had
-- not run further ahead of the clock (1,024 tokens per ms) than the failover took.
-- owner: one member 'first count name' per batch scored by its first token (for operators), trimmed to about the
-- latest `kept` batches on one claim in 64 (by the ms it runs in), so most claims add one command only.
local function take_tokens(fence, owner, n, now, name, kept)
  local base = tonumber(redis.call('GET', fence) or '0')
  if base < now * 1024 then
    base = now * 1024
  end
  redis.call('SET', fence, base + n)
  redis.call('ZADD', owner, base + 1, string.format('%.0f', base + 1) .. ' ' .. n .. ' ' .. name)
  if now % 64 == 0 then
    redis.call('ZREMRANGEBYRANK', owner, 0, -tonumber(kept) - 1)
  end
  return base
end
