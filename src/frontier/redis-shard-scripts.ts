/**
 * The Lua scripts of one shard of the Redis frontier, each run after the
 * shard prelude (redis-shard-prelude.ts: the shard's keys, the identity
 * check, host slots, and the report every reply begins with). Each touches
 * only its shard's keys (one hash tag, one Redis Cluster slot), so it is
 * atomic on the master that holds the shard, whichever node runs it.
 */
import { GUARD } from './redis-shard-prelude.js';

/** add. ARGV prefix, default delayMs, default parallelism, then per request: host, bucket, fingerprint, member. Reply: 1/0 per request. */
const ADD = `
local out, touched, accepted = {}, {}, 0
for i = 4, #ARGV, 4 do
  local host = ARGV[i]
  if redis.call('SADD', P .. 'f:' .. ARGV[i + 1], ARGV[i + 2]) == 1 then
    enqueue(host, ARGV[i + 3])
    touched[host] = true
    accepted = accepted + 1
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
if accepted > 0 then
  redis.call('HINCRBY', N, 'queued', accepted)
  redis.call('HINCRBY', N, 'seen', accepted)
end
for host in pairs(touched) do reschedule(host, ensureSlot(host, ARGV[2], ARGV[3])) end
return reply(accepted > 0, out)
`;

/**
 * lease. ARGV prefix, now, max, leaseMs, nodeId, jitter, random in [0,1), tokens given (cumulative),
 * tokens to keep in the pool at most afterwards (-1: all), the shard's number (lease ids are
 * `<nodeId>:<shard>:<seq>`). Reclaims expired leases first; at most
 * `max` and the pool. Reply: starved (1 when ready hosts were left for want of tokens), then
 * leaseId, host, member per lease.
 */
const LEASE = `
local now, max, leaseMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local nodeId, jitter, rand = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
accept(tonumber(ARGV[8]))
reclaim(now)
local pool = num(redis.call('HGET', N, 'pool'))
local budget = math.min(max, pool)
local out = { 0 }
local n, rounds = 0, 0
-- Rounds over the host buckets with a host ready now, oldest first, one request of the oldest
-- ready host of each per round: a host leased from is rescheduled at >= now, so it goes after the others.
while n < budget and rounds < budget + 10 do
  rounds = rounds + 1
  local buckets = redis.call('ZRANGEBYSCORE', P .. 'sb', '-inf', fmt(now), 'LIMIT', 0, budget - n)
  if #buckets == 0 then break end
  for _, b in ipairs(buckets) do
    if n >= budget then break end
    local host = redis.call('ZRANGEBYSCORE', P .. 'sched:' .. b, '-inf', fmt(now), 'LIMIT', 0, 1)[1]
    if host then
      local due = redis.call('ZRANGEBYSCORE', P .. 'r:' .. host, '-inf', fmt(now))
      for _, m in ipairs(due) do enqueue(host, m) end
      if #due > 0 then redis.call('ZREMRANGEBYSCORE', P .. 'r:' .. host, '-inf', fmt(now)) end
      local s = slot(host)
      local member = redis.call('LPOP', P .. 'q:' .. host)
      if member then
        local fraction = 0
        if jitter > 0 then fraction = jitter * ((rand + n * 0.6180339887) % 1) end
        s.inFlight = s.inFlight + 1
        s.nextAllowedAt = now + math.floor(s.delayMs * (1 + fraction) + 0.5)
        save(host, s)
        local id = nodeId .. ':' .. ARGV[10] .. ':' .. redis.call('HINCRBY', N, 'leaseSeq', 1)
        redis.call('ZADD', P .. 'leases', fmt(now + leaseMs), id)
        redis.call('HSET', P .. 'lease', id, host .. '\\n' .. member)
        out[#out + 1] = id
        out[#out + 1] = host
        out[#out + 1] = member
        n = n + 1
      end
      reschedule(host, s)
    end
  end
end
if n > 0 then
  redis.call('HINCRBY', N, 'queued', -n)
  redis.call('HINCRBY', N, 'pool', -n)
end
if n == pool and #redis.call('ZRANGEBYSCORE', P .. 'sb', '-inf', fmt(now), 'LIMIT', 0, 1) > 0 then out[1] = 1 end
local keep = tonumber(ARGV[9])
if keep >= 0 and pool - n > keep then
  redis.call('HINCRBY', N, 'back', pool - n - keep)
  redis.call('HSET', N, 'pool', keep)
end
return reply(true, out)
`;

/**
 * complete, for several leases at once. ARGV prefix, then per lease: leaseId, outcome
 * (ok|failed|skipped), fetched (1/0: 0 never went out, its token goes back), now (when it ended).
 * Reply: how many were live.
 */
const COMPLETE = `
local live = 0
for i = 2, #ARGV, 4 do
  local host, _, released = takeLease(ARGV[i])
  if host then
    live = live + 1
    redis.call('HINCRBY', N, 'done', 1)
    redis.call('HINCRBY', N, ARGV[i + 1], 1)
    if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', N, 'fetched', 1) else redis.call('HINCRBY', N, 'pool', 1) end
    letGo(host, released, ARGV[i + 1] ~= 'failed', tonumber(ARGV[i + 3]))
  end
end
return reply(live > 0, { live })
`;

/**
 * releaseHost, for several leases at once: the response came, so the host's place is free (its
 * delay counting from `now`) while the lease stays live until complete. ARGV prefix, then per
 * lease: leaseId, ok (1/0), now. Reply: how many were live and not released before.
 */
const RELEASE = `
local live = 0
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  if redis.call('ZSCORE', P .. 'leases', id) and redis.call('SADD', P .. 'rel', id) == 1 then
    live = live + 1
    finish(hostOfLease(redis.call('HGET', P .. 'lease', id)), ARGV[i + 1] == '1', tonumber(ARGV[i + 2]))
  end
end
return reply(live > 0, { live })
`;

/**
 * unlease, for several leases at once: leases a node took ahead of need and will not use (its
 * buffer, lease-buffer.ts) go back to the head of their queues, as if never handed out (their
 * hosts' places freed, their tokens back in the pool). ARGV prefix, then leaseIds in the order
 * they were handed out. Reply: how many were live.
 */
const UNLEASE = `
local live = 0
for i = #ARGV, 2, -1 do
  local host, member, released = takeLease(ARGV[i])
  if host then
    live = live + 1
    requeue(host, member)
    local s = slot(host)
    if not released then
      s.inFlight = math.max(0, s.inFlight - 1)
      save(host, s)
    end
    reschedule(host, s)
  end
end
return reply(live > 0, { live })
`;

/** retry. ARGV prefix, leaseId, notBeforeMs, the request's new member, now. Reply: 1, or 0 for a dead lease. */
const RETRY = `
local host, _, released = takeLease(ARGV[2])
if not host then return reply(false, { 0 }) end
redis.call('ZADD', P .. 'r:' .. host, fmt(tonumber(ARGV[3])), ARGV[4])
redis.call('HINCRBY', N, 'queued', 1)
redis.call('HINCRBY', N, 'pool', 1)
letGo(host, released, false, tonumber(ARGV[5]))
return reply(true, { 1 })
`;

/** setHostPolicy. ARGV prefix, default delayMs, default parallelism, host, delayMs|'', parallelism|''. */
const SET_POLICY = `
local host = ARGV[4]
local s = ensureSlot(host, ARGV[2], ARGV[3])
if ARGV[5] ~= '' then s.delayMs = tonumber(ARGV[5]) end
if ARGV[6] ~= '' then s.parallelism = tonumber(ARGV[6]) end
save(host, s)
reschedule(host, s)
return reply(true, {})
`;

/** backoffHost. ARGV prefix, default delayMs, default parallelism, host, untilMs. */
const BACKOFF = `
local host = ARGV[4]
local s = ensureSlot(host, ARGV[2], ARGV[3])
s.backoffUntil = math.max(s.backoffUntil, tonumber(ARGV[5]))
save(host, s)
redis.call('ZADD', P .. 'backoff', fmt(s.backoffUntil), host)
reschedule(host, s)
return reply(true, {})
`;

/** drainHost. ARGV prefix, host. Reply: the host's queue members (ready, then waiting retries). */
const DRAIN = `
local host = ARGV[2]
local s = slot(host)
if not s then return reply(false, {}) end
local out = redis.call('LRANGE', P .. 'q:' .. host, 0, -1)
for _, m in ipairs(redis.call('ZRANGE', P .. 'r:' .. host, 0, -1)) do out[#out + 1] = m end
redis.call('DEL', P .. 'q:' .. host, P .. 'r:' .. host)
redis.call('HINCRBY', N, 'queued', -#out)
-- The node stores each drained request as a skipped record (host given up).
redis.call('HINCRBY', N, 'skipped', #out)
reschedule(host, s)
return reply(#out > 0, out)
`;

/**
 * claimRedirect. ARGV prefix, bucket, fingerprint, target id, owner id. Reply: 1 when the
 * target was new (now seen and claimed) or claimed before by the same owner, else 0.
 */
const CLAIM = `
if redis.call('SADD', P .. 'f:' .. ARGV[2], ARGV[3]) == 1 then
  redis.call('HSET', P .. 'claims', ARGV[4], ARGV[5])
  redis.call('HINCRBY', N, 'seen', 1)
  return reply(true, { 1 })
end
if redis.call('HGET', P .. 'claims', ARGV[4]) == ARGV[5] then return reply(false, { 1 }) end
return reply(false, { 0 })
`;

/** bookHost. ARGV prefix, default delayMs, default parallelism, host, now, sentNow (1/0). Reply: the start time. */
const BOOK = `
local host, now = ARGV[4], tonumber(ARGV[5])
local s = ensureSlot(host, ARGV[2], ARGV[3])
local start = now
if ARGV[6] ~= '1' then start = math.max(now, s.nextAllowedAt, s.backoffUntil) end
s.nextAllowedAt = math.max(s.nextAllowedAt, start + s.delayMs)
save(host, s)
reschedule(host, s)
return reply(true, { fmt(start) })
`;

/**
 * status (read-only). ARGV prefix, now. Reply: done, seen, hosts, hosts in backoff, first
 * ready host time|-1, first lease expiry|-1, records ok, failed, skipped, fetched.
 */
const STATUS = `
local now = tonumber(ARGV[2])
local n = redis.call('HMGET', N, 'done', 'seen', 'hosts', 'ok', 'failed', 'skipped', 'fetched')
local lease = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
return reply(false, { num(n[1]), num(n[2]), num(n[3]), redis.call('ZCOUNT', P .. 'backoff', '(' .. fmt(now), '+inf'),
  firstScheduled() or '-1', lease[2] or '-1', num(n[4]), num(n[5]), num(n[6]), num(n[7]) })
`;

/** releaseNode. ARGV prefix, nodeId. Puts every request leased under `nodeId` back at once. Reply: how many. */
const RELEASE_NODE = `
local mine = ARGV[2] .. ':'
local released = 0
local ids = redis.call('ZRANGE', P .. 'leases', 0, -1)
for k = #ids, 1, -1 do
  local id = ids[k]
  if string.sub(id, 1, #mine) == mine then
    local host, member, freed = takeLease(id)
    requeue(host, member)
    letGo(host, freed, true)
    released = released + 1
  end
end
return reply(released > 0, { released })
`;

/**
 * markStored. ARGV prefix, then per stored record: bucket, fingerprint, outcome. Recovery:
 * marks pages a node stored as seen and done (counted by outcome) unless already seen. Reply: how many were new.
 */
const MARK_STORED = `
local marked = 0
for i = 2, #ARGV, 3 do
  if redis.call('SADD', P .. 'f:' .. ARGV[i], ARGV[i + 1]) == 1 then
    marked = marked + 1
    redis.call('HINCRBY', N, ARGV[i + 2], 1)
  end
end
if marked > 0 then
  redis.call('HINCRBY', N, 'done', marked)
  redis.call('HINCRBY', N, 'seen', marked)
end
return reply(marked > 0, { marked })
`;

/**
 * hosts (read-only, for `skein status`). ARGV prefix, now, top. Reply: the hosts in backoff
 * [host, until]…, '--', then the busiest hosts [host, queued, inFlight, delayMs]….
 */
const HOSTS = `
local now, top = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, v in ipairs(redis.call('ZRANGEBYSCORE', P .. 'backoff', '(' .. fmt(now), '+inf', 'WITHSCORES', 'LIMIT', 0, top)) do out[#out + 1] = v end
out[#out + 1] = '--'
local rows = {}
for b = 0, 127 do
  local all = redis.call('HGETALL', P .. 'hs:' .. b)
  for i = 1, #all, 2 do
    local host = all[i]
    local inFlight, delayMs = string.match(all[i + 1], '^(%d+),(%d+),')
    local queued = redis.call('LLEN', P .. 'q:' .. host) + redis.call('ZCARD', P .. 'r:' .. host)
    if queued + tonumber(inFlight) > 0 then rows[#rows + 1] = { host, queued, tonumber(inFlight), delayMs } end
  end
end
table.sort(rows, function(x, y) if x[2] ~= y[2] then return x[2] > y[2] end return x[1] < y[1] end)
for i = 1, math.min(top, #rows) do
  for _, v in ipairs(rows[i]) do out[#out + 1] = v end
end
return reply(false, out)
`;

const SCRIPTS = {
  skeinShardAdd: ADD,
  skeinShardLease: LEASE,
  skeinShardComplete: COMPLETE,
  skeinShardRelease: RELEASE,
  skeinShardUnlease: UNLEASE,
  skeinShardRetry: RETRY,
  skeinShardSetPolicy: SET_POLICY,
  skeinShardBackoff: BACKOFF,
  skeinShardDrain: DRAIN,
  skeinShardClaim: CLAIM,
  skeinShardBook: BOOK,
  skeinShardStatus: STATUS,
  skeinShardReleaseNode: RELEASE_NODE,
  skeinShardMarkStored: MARK_STORED,
  skeinShardHosts: HOSTS,
} as const;

export type ShardScriptName = keyof typeof SCRIPTS;

/** Script name → Lua source with the guard; each takes one key (the shard's `n`, which routes it). */
export const SHARD_SCRIPTS = Object.fromEntries(Object.entries(SCRIPTS).map(([name, lua]) => [name, GUARD + lua])) as Record<ShardScriptName, string>;
