-- ops_task.lua: one task for operators (ISchedulerOperations.GetTaskAsync), in whichever state it is.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight, KEYS[4] owner (see claim.lua), KEYS[5] dead (hash: key -> record;
-- a task's newest dead letter is under its id, see _dead.lua),
-- KEYS[6] dead index, KEYS[7] queued (streams broker: id -> entry id), KEYS[8] stream, KEYS[9] lease
-- ARGV[1] task id, ARGV[2] the streams broker's consumer group
-- Returns { state (0 none, 1 pending, 2 in flight, 3 dead letter), score (due, lease deadline, dead-letter time;
--           -1 unknown), envelope or dead-letter record, owner ('' unknown) }, read by OpsTaskReply
-- (Redis/Replies/OpsTaskReply.cs). A task queued in the stream is in flight: its envelope is the entry's, its owner
-- the consumer that read the entry (none before it is read), its deadline unknown (-1). A pending task that waits for
-- flow control has its stored score, 2^50 + its due time (see park.lua); the reader shows the due time.
--#include _owner
local id = ARGV[1]
local score = redis.call('ZSCORE', KEYS[1], id)
if score then return { 1, score, redis.call('HGET', KEYS[2], id) or '', '' } end
score = redis.call('ZSCORE', KEYS[3], id)
if score then return { 2, score, redis.call('HGET', KEYS[2], id) or '', owner_of(KEYS[4], redis.call('HGET', KEYS[9], id)) } end
local eid = redis.call('HGET', KEYS[7], id)
if eid then
  local entry = redis.call('XRANGE', KEYS[8], eid, eid)
  if entry[1] then
    local fields, env = entry[1][2], ''
    for i = 1, #fields, 2 do
      if fields[i] == 'e' then env = fields[i + 1] end
    end
    local pending = redis.call('XPENDING', KEYS[8], ARGV[2], eid, eid, 1)
    return { 2, -1, env, pending[1] and pending[1][2] or '' }
  end
end
score = redis.call('ZSCORE', KEYS[6], id)
if score then return { 3, score, redis.call('HGET', KEYS[5], id) or '', '' } end
return { 0, -1, '', '' }
