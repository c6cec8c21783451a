-- requeue.lua: move a task's newest dead letter back to the schedule in one atomic step (an older one of the task, if
-- any is kept, becomes its dead letter: _dead.lua).
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] dead, KEYS[4] dead index, KEYS[5] queued (streams broker)
-- ARGV[1] wake channel, ARGV[2] task id, ARGV[3] envelope to store (attempt reset by the caller), ARGV[4] delay in ms
-- Returns 1 requeued, 2 no such dead letter, 3 a task with this id is already stored, queued or running (the dead
-- letter is kept).
local K_DEAD, K_DEAD_INDEX = KEYS[3], KEYS[4]
--#include _now
--#include _dead
local id = ARGV[2]
if redis.call('HEXISTS', KEYS[3], id) == 0 then return 2 end
if redis.call('HEXISTS', KEYS[2], id) == 1 or redis.call('HEXISTS', KEYS[5], id) == 1 then return 3 end
local due = server_now_ms() + tonumber(ARGV[4])
dead_pop(id)
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[1], due, id)
if head[2] == nil or due < tonumber(head[2]) then redis.call('PUBLISH', ARGV[1], due) end
return 1
