-- stats.lua: what an operator watches in one partition, in one call (metrics gauges and health checks).
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] queued (streams broker), KEYS[4] dead index (zset: id -> time),
-- KEYS[5] recurring (hash: schedule id -> definition)
-- Returns { now, pending, in flight (leases + stream entries), dead letters, due time of the first pending task
--           (-1: none), time of the newest dead letter (-1: none), recurring schedules }, read by StatsReply (Redis/Replies/StatsReply.cs).
-- Tasks that wait for flow control (scored 2^50 + due, see park.lua) are pending but not "the first due": a paused
-- handler does not make the schedule late. They sort after every other pending task, so a waiting head means none.
--#include _now
local now = server_now_ms()
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if head[2] and tonumber(head[2]) >= 1125899906842624 then head = {} end
local newest = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')
return {
  now,
  redis.call('ZCARD', KEYS[1]),
  redis.call('ZCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]),
  redis.call('ZCARD', KEYS[4]),
  head[2] and tonumber(head[2]) or -1,
  newest[2] and tonumber(newest[2]) or -1,
  redis.call('HLEN', KEYS[5]),
}
