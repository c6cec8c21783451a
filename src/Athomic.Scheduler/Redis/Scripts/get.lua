-- get.lua: read a stored task and its state consistently.
-- KEYS[1] pending, KEYS[2] tasks, KEYS[3] inflight
-- ARGV[1] task id
-- Returns { envelope, 1 pending or 2 in flight, score } or nil when the task is not stored.
local env = redis.call('HGET', KEYS[2], ARGV[1])
if not env then return nil end
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score then return { env, 1, score } end
score = redis.call('ZSCORE', KEYS[3], ARGV[1])
if score then return { env, 2, score } end
return nil
