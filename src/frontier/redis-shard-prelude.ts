/**
 * What every Lua script of one shard of the Redis frontier begins with
 * (the scripts are in redis-shard-scripts.ts): the identity check, the host
 * slot helpers and the shard's report. A shard holds every host whose
 * `XXH64(host) mod shards` is its number.
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
 *   hs:<b>      HASH   host → its slot "inFlight,delayMs,parallelism,nextAllowedAt,backoffUntil,fails",
 *                      for the hosts of bucket b (0-127, `hostBucket`: a shard's hosts in 128
 *                      small hashes, so each stays a listpack up to 16,000 hosts a shard)
 *   sched:<b>   ZSET   host → when its next queued request may start (only while it has one and
 *                      a free place), for the hosts of bucket b (small: listpacks too)
 *   sb          ZSET   bucket → the earliest time in its sched:<b> (buckets with a scheduled host)
 *   backoff     ZSET   host → backoffUntil (for status)
 *   leases      ZSET   leaseId → expiresAt
 *   lease       HASH   leaseId → host "\n" queue member
 *   rel         SET    leaseIds whose host was freed already (releaseHost: the response came)
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

/** The Lua prelude of every shard script. */
export const GUARD = `
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
-- The host's bucket (djb2 of its name, mod 128): its slot and schedule entry live in hs:<b>, sched:<b>.
local function hostBucket(host)
  local h = 5381
  for i = 1, #host do h = (h * 33 + string.byte(host, i)) % 4294967296 end
  return h % 128
end
local function slot(host)
  local v = redis.call('HGET', P .. 'hs:' .. hostBucket(host), host)
  if not v then return nil end
  local a, b, c, d, e, f = string.match(v, '^(%d+),(%d+),(%d+),(%d+),(%d+),(%d+)$')
  return { inFlight = tonumber(a), delayMs = tonumber(b), parallelism = tonumber(c), nextAllowedAt = tonumber(d), backoffUntil = tonumber(e), fails = tonumber(f) }
end
local function save(host, s)
  redis.call('HSET', P .. 'hs:' .. hostBucket(host), host, fmt(s.inFlight) .. ',' .. fmt(s.delayMs) .. ',' .. fmt(s.parallelism) .. ',' .. fmt(s.nextAllowedAt) .. ',' .. fmt(s.backoffUntil) .. ',' .. fmt(s.fails))
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
  local b = hostBucket(host)
  local key = P .. 'sched:' .. b
  if at == nil then
    redis.call('ZREM', key, host)
  else
    redis.call('ZADD', key, fmt(math.max(at, s.nextAllowedAt, s.backoffUntil)), host)
  end
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if first[2] then redis.call('ZADD', P .. 'sb', first[2], b) else redis.call('ZREM', P .. 'sb', b) end
end
-- The earliest time any host of the shard may start its next request, or nil.
local function firstScheduled()
  return redis.call('ZRANGE', P .. 'sb', 0, 0, 'WITHSCORES')[2]
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
local function hostOfLease(payload)
  return string.sub(payload, 1, string.find(payload, '\\n', 1, true) - 1)
end
-- Ends a live lease: host, queue member, and whether releaseHost freed its host already.
local function takeLease(id)
  if redis.call('ZREM', P .. 'leases', id) == 0 then return nil end
  local payload = redis.call('HGET', P .. 'lease', id)
  redis.call('HDEL', P .. 'lease', id)
  local host = hostOfLease(payload)
  return host, string.sub(payload, #host + 2), redis.call('SREM', P .. 'rel', id) == 1
end
-- A lease's end frees its host's place, unless releaseHost did (then only the schedule may change).
local function letGo(host, released, succeeded, now)
  if released then reschedule(host, slot(host)) else finish(host, succeeded, now) end
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
    local host, member, released = takeLease(expired[k])
    requeue(host, member)
    letGo(host, released, false, now)
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
    local l = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
    nextAt = math.min(tonumber(firstScheduled() or '1e300'), tonumber(l[2] or '1e300'))
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
