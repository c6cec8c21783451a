-- ops_tasks.lua: one page of a task listing for operators (ISchedulerOperations.ListTasksAsync), keyset-paged:
-- O(log n + entries looked at), never more than a budget of entries per call.
-- KEYS[1] the listing's sorted set (pending: id -> due; inflight: id -> lease deadline; dead index: key -> time, the
-- key being the task id or, for its earlier dead letters, '<id> #<n>': see _dead.lua), KEYS[2] its details hash
-- (tasks: id -> envelope; dead: key -> dead-letter record), KEYS[3] owner, KEYS[4] lease
-- (see claim.lua)
-- ARGV[1] 1 = descending (dead letters, newest first), else ascending; ARGV[2] 1 when a cursor follows, else 0;
-- ARGV[3] cursor score, ARGV[4] cursor id (start strictly after them in the listing's order, ties by id bytes);
-- ARGV[5] most items returned, ARGV[6] most entries looked at, ARGV[7] handler filter ('' none),
-- ARGV[8] id prefix filter ('' none), ARGV[9] 1 when KEYS[2] holds dead-letter records, ARGV[10] 1 to read owners
-- Returns { 1 when the end of the listing was reached else 0, score of the last entry looked at ('' none), its id,
--           then per matching item: id, score, details ('' when missing), owner ('' unknown) },
-- read by OpsTasksReply (Redis/Replies/OpsTasksReply.cs). Scores are as stored: a pending task that waits for flow
-- control has 2^50 + its due time (see park.lua), which pages the listing; the reader shows the due time.
local K_SET, K_DATA, K_OWNER, K_LEASE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--#include _owner
local rev = ARGV[1] == '1'
local limit, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local handler, prefix, dead, owners = ARGV[7], ARGV[8], ARGV[9] == '1', ARGV[10] == '1'

-- Byte order (a sorted set's order of equal scores); Lua's own string comparison follows the server's locale.
local function bytes_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function range(from, to)
  if rev then return redis.call('ZREVRANGE', K_SET, from, to, 'WITHSCORES') end
  return redis.call('ZRANGE', K_SET, from, to, 'WITHSCORES')
end

-- The rank (in the listing's direction) of the first entry after the cursor: the cursor's own rank when it is
-- still there with its score, else a binary search among the entries of the cursor's score (O(log n) each step).
local function start_rank()
  if ARGV[2] ~= '1' then return 0 end
  local score, id = ARGV[3], ARGV[4]
  local s = redis.call('ZSCORE', K_SET, id)
  if s and tonumber(s) == tonumber(score) then
    return (rev and redis.call('ZREVRANK', K_SET, id) or redis.call('ZRANK', K_SET, id)) + 1
  end
  local lo, hi
  if rev then
    lo = redis.call('ZCOUNT', K_SET, '(' .. score, '+inf')
    hi = redis.call('ZCOUNT', K_SET, score, '+inf')
  else
    lo = redis.call('ZCOUNT', K_SET, '-inf', '(' .. score)
    hi = redis.call('ZCOUNT', K_SET, '-inf', score)
  end
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local m = range(mid, mid)[1]
    local after
    if rev then after = bytes_less(m, id) else after = bytes_less(id, m) end
    if after then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- MessagePack, only as far as the handler: envelope [1, id: str, handler: str, ...]; dead-letter record
-- [1, id: str, envelope: bin, ...]. Anything else has no handler (nil).
local function str_at(s, pos)
  local b = string.byte(s, pos)
  local len, off
  if b >= 0xa0 and b <= 0xbf then len, off = b - 0xa0, 1
  elseif b == 0xd9 then len, off = string.byte(s, pos + 1), 2
  elseif b == 0xda then len, off = string.byte(s, pos + 1) * 256 + string.byte(s, pos + 2), 3
  else return nil end
  return string.sub(s, pos + off, pos + off + len - 1), pos + off + len
end
local function after_header(s, pos)
  local b = string.byte(s, pos)
  if b >= 0x90 and b <= 0x9f then pos = pos + 1 elseif b == 0xdc then pos = pos + 3 else return nil end
  if string.byte(s, pos) ~= 1 then return nil end
  local _, next = str_at(s, pos + 1)
  return next
end
local function handler_of(s)
  local pos = after_header(s, 1)
  if dead then
    local b = string.byte(s, pos)
    if b == 0xc4 then pos = pos + 2 elseif b == 0xc5 then pos = pos + 3 elseif b == 0xc6 then pos = pos + 5 else return nil end
    pos = after_header(s, pos)
  end
  return (str_at(s, pos))
end

local out = { 0, '', '' }
local rank = start_rank()
local seen, found = 0, 0
while seen < budget and found < limit do
  local want = math.min(budget - seen, 100)
  local entries = range(rank, rank + want - 1)
  local consumed = 0
  for i = 1, #entries, 2 do
    local id, score = entries[i], entries[i + 1]
    seen, rank, consumed = seen + 1, rank + 1, i + 1
    out[2], out[3] = score, id
    if prefix == '' or string.sub(id, 1, #prefix) == prefix then
      local data = redis.call('HGET', K_DATA, id)
      local ok = handler == ''
      if not ok and data then
        local parsed, h = pcall(handler_of, data)
        ok = parsed and h == handler
      end
      if ok then
        out[#out + 1] = id
        out[#out + 1] = score
        out[#out + 1] = data or ''
        out[#out + 1] = owners and owner_of(K_OWNER, redis.call('HGET', K_LEASE, id)) or ''
        found = found + 1
        if found == limit then break end
      end
    end
  end
  if #entries < want * 2 and consumed == #entries then
    out[1] = 1
    break
  end
end
return out
