/**
 * The Lua scripts of one shard of the Redis frontier. A shard holds every
 * host whose `XXH64(host) mod shards` is its number; each script touches
 * only its shard's keys (one hash tag, one Redis Cluster slot), so it is
 * atomic on the master that holds the shard, whichever node runs it.
 *
 * Keys of shard `P` = `skein:{<crawlId>:<shard>}:`:
 *   id          STRING the crawl's identity token (the copy this shard's scripts check)
 *   n           HASH   counters: queued, done, fetched (what maxPages counts), ok, failed,
 *                      skipped (records by outcome), seen, hosts, leaseSeq, ver (bumped by
 *                      every change: orders this shard's reports in the global index),
 *                      pool (maxPages tokens held here), given (tokens ever received),
 *                      back (tokens ever handed back to the global budget)
 *   f:<b>       SET    seen fingerprints of bucket b (0-255), 56-bit integers: intsets
 *   claims      HASH   redirect target fingerprint → fingerprint of the request that claimed it
 *   hs          HASH   host → its slot "inFlight,delayMs,parallelism,nextAllowedAt,backoffUntil,fails"
 *   sched       ZSET   host → when its next queued request may start (only while it has one and a free place)
 *   backoff     ZSET   host → backoffUntil (for status)
 *   leases      ZSET   leaseId → expiresAt
 *   lease       HASH   leaseId → host "\n" queue member
 *   q:<host>    LIST   ready requests (redis-codec.ts members) in BFS order: depth, then
 *                      priority, then insertion
 *   r:<host>    ZSET   requests sent back by retry, scored by their not-before time
 *
 * The maxPages budget: a lease takes a token from the shard's pool; a
 * request that ends fetched keeps it; one that ends otherwise (retried, not
 * fetched, its lease expired or released) puts it back in the pool. Tokens
 * come from the global budget (redis-global-scripts.ts) in grants: the global
 * counts what it gave each shard (cumulative), and a lease call passes the
 * cumulative figure it knows, so a grant whose lease call never came (its
 * node died) is taken up by the next one. A shard with nothing queued and
 * nothing queued hands its pool back (`back`, cumulative, credited by the
 * global script once), and so does a lease call told to keep fewer (the
 * budget runs low). So fetched + leased never exceed maxPages.
 *
 * Every script checks the identity (the caller appends the token to ARGV)
 * and answers with its report first: { ver, nextAt (-1 when the shard has
 * nothing queued or leased), queued, leased, back, pool }, then its own reply.
 * Times are the caller's `nowMs`; numbers go back through `fmt()`.
 */
import { IDENTITY_ERRORS } from './redis-keys.js';

const GUARD = `
local skeinToken = table.remove(ARGV)
local P = ARGV[1]
local skeinFound = redis.call('GET', P .. 'id')
if skeinFound ~= skeinToken then
  if skeinFound then return redis.error_reply('${IDENTITY_ERRORS.replaced} ' .. P .. 'id') end
  return redis.error_reply('${IDENTITY_ERRORS.gone} ' .. P .. 'id')
end
local N = P .. 'n'
local function fmt(x) return string.format('%.0f', x) end
local function num(v) return tonumber(v or '0') or 0 end
local function slot(host)
  local v = redis.call('HGET', P .. 'hs', host)
  if not v then return nil end
  local a, b, c, d, e, f = string.match(v, '^(%d+),(%d+),(%d+),(%d+),(%d+),(%d+)$')
  return { inFlight = tonumber(a), delayMs = tonumber(b), parallelism = tonumber(c), nextAllowedAt = tonumber(d), backoffUntil = tonumber(e), fails = tonumber(f) }
end
local function save(host, s)
  redis.call('HSET', P .. 'hs', host, fmt(s.inFlight) .. ',' .. fmt(s.delayMs) .. ',' .. fmt(s.parallelism) .. ',' .. fmt(s.nextAllowedAt) .. ',' .. fmt(s.backoffUntil) .. ',' .. fmt(s.fails))
end
local function ensureSlot(host, delayMs, parallelism)
  local s = slot(host)
  if s then return s end
  s = { inFlight = 0, delayMs = tonumber(delayMs), parallelism = tonumber(parallelism), nextAllowedAt = 0, backoffUntil = 0, fails = 0 }
  save(host, s)
  redis.call('HINCRBY', N, 'hosts', 1)
  return s
end
local function reschedule(host, s)
  local at = nil
  local limit = s.parallelism
  if s.delayMs > 0 then limit = 1 end
  if s.inFlight < limit then
    if redis.call('LLEN', P .. 'q:' .. host) > 0 then
      at = 0
    else
      local r = redis.call('ZRANGE', P .. 'r:' .. host, 0, 0, 'WITHSCORES')
      if r[2] then at = tonumber(r[2]) end
    end
  end
  if at == nil then
    redis.call('ZREM', P .. 'sched', host)
  else
    redis.call('ZADD', P .. 'sched', fmt(math.max(at, s.nextAllowedAt, s.backoffUntil)), host)
  end
end
local function finish(host, succeeded, now)
  local s = slot(host)
  s.inFlight = math.max(0, s.inFlight - 1)
  if succeeded then s.fails = 0 else s.fails = s.fails + 1 end
  if s.delayMs > 0 and now then s.nextAllowedAt = math.max(s.nextAllowedAt, now + s.delayMs) end
  save(host, s)
  reschedule(host, s)
end
local function orderOf(m)
  local d, p = string.match(m, '^(%d+)\\n(%-?%d+)')
  return tonumber(d), tonumber(p)
end
local function before(d1, p1, d2, p2) return d1 < d2 or (d1 == d2 and p1 < p2) end
-- Appends in BFS order: after every member of a lower or equal (depth, priority).
local function enqueue(host, member)
  local q = P .. 'q:' .. host
  local n = redis.call('LLEN', q)
  if n == 0 then redis.call('RPUSH', q, member) return end
  local d, p = orderOf(member)
  local td, tp = orderOf(redis.call('LINDEX', q, -1))
  if not before(d, p, td, tp) then redis.call('RPUSH', q, member) return end
  local lo, hi = 0, n - 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local md, mp = orderOf(redis.call('LINDEX', q, mid))
    if before(d, p, md, mp) then hi = mid else lo = mid + 1 end
  end
  redis.call('LINSERT', q, 'BEFORE', redis.call('LINDEX', q, lo), member)
end
-- Puts a request that was handed out back at the head of its (depth, priority): it goes before
-- the ones queued after it. Several at once: call in reverse order to keep theirs.
local function enqueueFront(host, member)
  local q = P .. 'q:' .. host
  local n = redis.call('LLEN', q)
  local d, p = orderOf(member)
  local lo, hi = 0, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local md, mp = orderOf(redis.call('LINDEX', q, mid))
    if before(md, mp, d, p) then lo = mid + 1 else hi = mid end
  end
  if lo == n then redis.call('RPUSH', q, member)
  elseif lo == 0 then redis.call('LPUSH', q, member)
  else redis.call('LINSERT', q, 'BEFORE', redis.call('LINDEX', q, lo), member) end
end
local function takeLease(id)
  if redis.call('ZREM', P .. 'leases', id) == 0 then return nil end
  local payload = redis.call('HGET', P .. 'lease', id)
  redis.call('HDEL', P .. 'lease', id)
  local nl = string.find(payload, '\\n', 1, true)
  return string.sub(payload, 1, nl - 1), string.sub(payload, nl + 1)
end
-- A lease that ends without a fetch: its request waits again, its token goes back to the pool.
local function requeue(host, member)
  enqueueFront(host, member)
  redis.call('HINCRBY', N, 'queued', 1)
  redis.call('HINCRBY', N, 'pool', 1)
end
local function reclaim(now)
  local expired = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', fmt(now), 'LIMIT', 0, 1000)
  for k = #expired, 1, -1 do
    local host, member = takeLease(expired[k])
    requeue(host, member)
    finish(host, false, now)
  end
end
-- Takes up the grants of the global budget this shard has not received yet (cumulative count).
local function accept(given)
  local had = num(redis.call('HGET', N, 'given'))
  if given > had then
    redis.call('HSET', N, 'given', fmt(given))
    redis.call('HINCRBY', N, 'pool', given - had)
  end
end
-- The shard's report (see the file's comment); a shard left idle hands its pool back first.
local function report(changed)
  local ver
  if changed then ver = redis.call('HINCRBY', N, 'ver', 1) else ver = num(redis.call('HGET', N, 'ver')) end
  local v = redis.call('HMGET', N, 'queued', 'pool', 'back')
  local queued, pool, back = num(v[1]), num(v[2]), num(v[3])
  local leased = redis.call('ZCARD', P .. 'leases')
  if changed and queued == 0 and pool > 0 then
    back = redis.call('HINCRBY', N, 'back', pool)
    redis.call('HSET', N, 'pool', 0)
    pool = 0
  end
  local nextAt = -1
  if queued + leased > 0 then
    local s = redis.call('ZRANGE', P .. 'sched', 0, 0, 'WITHSCORES')
    local l = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
    nextAt = math.min(tonumber(s[2] or '1e300'), tonumber(l[2] or '1e300'))
    if nextAt >= 1e300 then nextAt = 0 end
  end
  return { ver, fmt(nextAt), queued, leased, back, pool }
end
local function reply(changed, rest)
  local out = report(changed)
  for _, v in ipairs(rest) do out[#out + 1] = v end
  return out
end
`;

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
-- Rounds over the hosts ready now, oldest first, one request each per round:
-- a host leased from is rescheduled at >= now, so it goes after the others.
while n < budget and rounds < budget + 10 do
  rounds = rounds + 1
  local ready = redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', fmt(now), 'LIMIT', 0, budget - n)
  if #ready == 0 then break end
  for _, host in ipairs(ready) do
    if n >= budget then break end
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
if n > 0 then
  redis.call('HINCRBY', N, 'queued', -n)
  redis.call('HINCRBY', N, 'pool', -n)
end
if n == pool and #redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', fmt(now), 'LIMIT', 0, 1) > 0 then out[1] = 1 end
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
  local host = takeLease(ARGV[i])
  if host then
    live = live + 1
    redis.call('HINCRBY', N, 'done', 1)
    redis.call('HINCRBY', N, ARGV[i + 1], 1)
    if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', N, 'fetched', 1) else redis.call('HINCRBY', N, 'pool', 1) end
    finish(host, ARGV[i + 1] ~= 'failed', tonumber(ARGV[i + 3]))
  end
end
return reply(live > 0, { live })
`;

/** retry. ARGV prefix, leaseId, notBeforeMs, the request's new member, now. Reply: 1, or 0 for a dead lease. */
const RETRY = `
local host = takeLease(ARGV[2])
if not host then return reply(false, { 0 }) end
redis.call('ZADD', P .. 'r:' .. host, fmt(tonumber(ARGV[3])), ARGV[4])
redis.call('HINCRBY', N, 'queued', 1)
redis.call('HINCRBY', N, 'pool', 1)
finish(host, false, tonumber(ARGV[5]))
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
local sched = redis.call('ZRANGE', P .. 'sched', 0, 0, 'WITHSCORES')
local lease = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
return reply(false, { num(n[1]), num(n[2]), num(n[3]), redis.call('ZCOUNT', P .. 'backoff', '(' .. fmt(now), '+inf'),
  sched[2] or '-1', lease[2] or '-1', num(n[4]), num(n[5]), num(n[6]), num(n[7]) })
`;

/** releaseNode. ARGV prefix, nodeId. Puts every request leased under `nodeId` back at once. Reply: how many. */
const RELEASE_NODE = `
local mine = ARGV[2] .. ':'
local released = 0
local ids = redis.call('ZRANGE', P .. 'leases', 0, -1)
for k = #ids, 1, -1 do
  local id = ids[k]
  if string.sub(id, 1, #mine) == mine then
    local host, member = takeLease(id)
    requeue(host, member)
    finish(host, true)
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
local all = redis.call('HGETALL', P .. 'hs')
for i = 1, #all, 2 do
  local host = all[i]
  local inFlight, delayMs = string.match(all[i + 1], '^(%d+),(%d+),')
  local queued = redis.call('LLEN', P .. 'q:' .. host) + redis.call('ZCARD', P .. 'r:' .. host)
  if queued + tonumber(inFlight) > 0 then rows[#rows + 1] = { host, queued, tonumber(inFlight), delayMs } end
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

/** How many report fields lead every shard script's reply. */
export const REPORT_FIELDS = 6;
