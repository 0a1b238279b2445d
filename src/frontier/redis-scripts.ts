/**
 * The Lua scripts behind `RedisFrontier`: every multi-key step is one script,
 * so it is atomic on the Redis server, whichever node runs it.
 *
 * Keys (all under one hash tag, `skein:{<crawlId>}:`, so they share one Redis
 * Cluster slot; per-host keys are derived inside the scripts from the prefix):
 *   seen          SET   every key ever accepted (redirect targets claimed included)
 *   claims        HASH  redirect target key → key of the request whose redirect claimed it
 *   seedRedirects LIST  URLs the seeds redirected to, in claim order (scope widening)
 *   n             HASH  counters: queued, done, fetched (done requests that were fetched:
 *                       the maxPages budget), seq (request order), leaseSeq, and the
 *                       records by outcome for status: ok, failed, skipped (drained hosts too)
 *   hosts         SET   every host with a slot
 *   sched         ZSET  host → time it may start its next queued request
 *                       (present only while it has something queued and a free place)
 *   backoff       ZSET  host → backoffUntil (for stats)
 *   leases        ZSET  leaseId → expiresAt
 *   lease         HASH  leaseId → host "\n" queue member
 *   h:<host>      HASH  the HostSlot: inFlight, delayMs, parallelism, nextAllowedAt, backoffUntil, fails
 *   q:<host>      ZSET  ready requests, all score 0, member = order prefix .. request JSON, so
 *                       lexicographic order is BFS: depth (6 digits), priority + 1e9 (10), seq (15)
 *   r:<host>      ZSET  requests sent back by retry, scored by not-before time (same members)
 *
 * The host rules are those of politeness/host-slot.ts. Times are the caller's
 * `nowMs` (see redis-frontier.ts). Numbers go back to Redis through `fmt()`,
 * never Lua's default 14-digit conversion.
 *
 * Every script in FRONTIER_SCRIPTS first checks the crawl's identity (see
 * redis-keys.ts): the caller appends the identity key's name and the token
 * it expects to ARGV (after the script's own arguments, which the
 * descriptions below list), and the script fails with SKEIN_CRAWL_GONE or
 * SKEIN_CRAWL_REPLACED, touching nothing, when Redis holds no or another token.
 */
import { IDENTITY_ERRORS } from './redis-keys.js';

/** Length of the BFS order prefix of a queue member; the request JSON follows it. */
export const ORDER_PREFIX_LENGTH = 31;

/** Pops the identity key and token off ARGV and checks them (before anything reads ARGV). */
const IDENTITY_GUARD = `
local skeinToken = table.remove(ARGV)
local skeinIdentity = table.remove(ARGV)
local skeinFound = redis.call('GET', skeinIdentity)
if skeinFound ~= skeinToken then
  if skeinFound then return redis.error_reply('${IDENTITY_ERRORS.replaced} ' .. skeinIdentity) end
  return redis.error_reply('${IDENTITY_ERRORS.gone} ' .. skeinIdentity)
end
`;

const COMMON = `
local P = ARGV[1]
local function fmt(x) return string.format('%.0f', x) end
local function slot(host)
  local v = redis.call('HMGET', P .. 'h:' .. host, 'inFlight', 'delayMs', 'parallelism', 'nextAllowedAt', 'backoffUntil', 'fails')
  if not v[3] then return nil end
  return { inFlight = tonumber(v[1]), delayMs = tonumber(v[2]), parallelism = tonumber(v[3]),
    nextAllowedAt = tonumber(v[4]), backoffUntil = tonumber(v[5]), fails = tonumber(v[6]) }
end
local function ensureSlot(host, delayMs, parallelism)
  local s = slot(host)
  if s then return s end
  redis.call('HSET', P .. 'h:' .. host, 'inFlight', 0, 'delayMs', delayMs, 'parallelism', parallelism,
    'nextAllowedAt', 0, 'backoffUntil', 0, 'fails', 0)
  redis.call('SADD', P .. 'hosts', host)
  return slot(host)
end
local function reschedule(host, s)
  local at = nil
  local limit = s.parallelism
  if s.delayMs > 0 then limit = 1 end
  if s.inFlight < limit then
    if redis.call('ZCARD', P .. 'q:' .. host) > 0 then
      at = 0
    else
      local r = redis.call('ZRANGE', P .. 'r:' .. host, 0, 0, 'WITHSCORES')
      if r[2] then at = tonumber(r[2]) end
    end
  end
  if at == nil then
    redis.call('ZREM', P .. 'sched', host)
  else
    at = math.max(at, s.nextAllowedAt, s.backoffUntil)
    redis.call('ZADD', P .. 'sched', fmt(at), host)
  end
end
local function finish(host, succeeded, now)
  local s = slot(host)
  s.inFlight = math.max(0, s.inFlight - 1)
  if succeeded then s.fails = 0 else s.fails = s.fails + 1 end
  if s.delayMs > 0 then s.nextAllowedAt = math.max(s.nextAllowedAt, now + s.delayMs) end
  redis.call('HSET', P .. 'h:' .. host, 'inFlight', s.inFlight, 'fails', s.fails, 'nextAllowedAt', fmt(s.nextAllowedAt))
  reschedule(host, s)
end
local function takeLease(id)
  if redis.call('ZREM', P .. 'leases', id) == 0 then return nil end
  local payload = redis.call('HGET', P .. 'lease', id)
  redis.call('HDEL', P .. 'lease', id)
  local nl = string.find(payload, '\\n', 1, true)
  return string.sub(payload, 1, nl - 1), string.sub(payload, nl + 1)
end
local function reclaim(now)
  local expired = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', fmt(now), 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local host, member = takeLease(id)
    redis.call('ZADD', P .. 'q:' .. host, 0, member)
    redis.call('HINCRBY', P .. 'n', 'queued', 1)
    finish(host, false, now)
  end
end
`;

/**
 * add: KEYS seen, n. ARGV prefix, default delayMs, default parallelism, then
 * per request: key, host, depth, priority, json. Returns 1 (accepted) or 0 per request.
 */
const ADD = `${COMMON}
local out = {}
local touched = {}
local accepted = 0
local count = (#ARGV - 3) / 5
local seq = redis.call('HINCRBY', P .. 'n', 'seq', count) - count
local i = 4
while i <= #ARGV do
  local key, host, depth, priority, json = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), ARGV[i + 4]
  seq = seq + 1
  if redis.call('SADD', P .. 'seen', key) == 1 then
    local member = string.format('%06d%010d%015d', depth, priority + 1000000000, seq) .. json
    redis.call('ZADD', P .. 'q:' .. host, 0, member)
    touched[host] = true
    accepted = accepted + 1
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  i = i + 5
end
if accepted > 0 then redis.call('HINCRBY', P .. 'n', 'queued', accepted) end
for host in pairs(touched) do reschedule(host, ensureSlot(host, ARGV[2], ARGV[3])) end
return out
`;

/**
 * lease: KEYS sched, leases, n. ARGV prefix, now, max, leaseMs, maxPages,
 * nodeId, jitter, random in [0,1). Reclaims expired leases first. Returns
 * flat [leaseId, host, member, ...].
 */
const LEASE = `${COMMON}
local now, max, leaseMs, maxPages = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local nodeId, jitter, rand = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
reclaim(now)
local fetched = tonumber(redis.call('HGET', P .. 'n', 'fetched') or '0')
local budget = math.min(max, maxPages - fetched - redis.call('ZCARD', P .. 'leases'))
local out = {}
local n = 0
local rounds = 0
-- Rounds over the hosts ready now, oldest first, one request each per round:
-- a host leased from is rescheduled at >= now, so it goes after the others.
while n < budget and rounds < budget + 10 do
  rounds = rounds + 1
  local ready = redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', fmt(now), 'LIMIT', 0, budget - n)
  if #ready == 0 then break end
  for _, host in ipairs(ready) do
    if n >= budget then break end
    local due = redis.call('ZRANGEBYSCORE', P .. 'r:' .. host, '-inf', fmt(now))
    for _, m in ipairs(due) do redis.call('ZADD', P .. 'q:' .. host, 0, m) end
    if #due > 0 then redis.call('ZREMRANGEBYSCORE', P .. 'r:' .. host, '-inf', fmt(now)) end
    local s = slot(host)
    local popped = redis.call('ZPOPMIN', P .. 'q:' .. host)
    if popped[1] then
      local member = popped[1]
      redis.call('HINCRBY', P .. 'n', 'queued', -1)
      local fraction = 0
      if jitter > 0 then fraction = jitter * ((rand + n * 0.6180339887) % 1) end
      s.inFlight = s.inFlight + 1
      s.nextAllowedAt = now + math.floor(s.delayMs * (1 + fraction) + 0.5)
      redis.call('HSET', P .. 'h:' .. host, 'inFlight', s.inFlight, 'nextAllowedAt', fmt(s.nextAllowedAt))
      local id = nodeId .. ':' .. redis.call('HINCRBY', P .. 'n', 'leaseSeq', 1)
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
return out
`;

/**
 * complete: KEYS leases, lease, n. ARGV prefix, leaseId, outcome (ok|failed|skipped),
 * fetched (1/0; 0: it never went out and does not count toward maxPages), now (when it ended).
 * Returns 1, or 0 for a dead lease.
 */
const COMPLETE = `${COMMON}
local host = takeLease(ARGV[2])
if not host then return 0 end
redis.call('HINCRBY', P .. 'n', 'done', 1)
redis.call('HINCRBY', P .. 'n', ARGV[3], 1)
if ARGV[4] ~= '0' then redis.call('HINCRBY', P .. 'n', 'fetched', 1) end
finish(host, ARGV[3] ~= 'failed', tonumber(ARGV[5]))
return 1
`;

/** retry: KEYS leases, lease, n. ARGV prefix, leaseId, notBeforeMs, new request JSON, now. Returns 1 or 0. */
const RETRY = `${COMMON}
local host, member = takeLease(ARGV[2])
if not host then return 0 end
local again = string.sub(member, 1, ${ORDER_PREFIX_LENGTH}) .. ARGV[4]
redis.call('ZADD', P .. 'r:' .. host, fmt(tonumber(ARGV[3])), again)
redis.call('HINCRBY', P .. 'n', 'queued', 1)
finish(host, false, tonumber(ARGV[5]))
return 1
`;

/** setHostPolicy: KEYS sched, hosts. ARGV prefix, default delayMs, default parallelism, host, delayMs|'', parallelism|''. */
const SET_POLICY = `${COMMON}
local host = ARGV[4]
local s = ensureSlot(host, ARGV[2], ARGV[3])
if ARGV[5] ~= '' then s.delayMs = tonumber(ARGV[5]) end
if ARGV[6] ~= '' then s.parallelism = tonumber(ARGV[6]) end
redis.call('HSET', P .. 'h:' .. host, 'delayMs', s.delayMs, 'parallelism', s.parallelism)
reschedule(host, s)
return 1
`;

/** backoffHost: KEYS sched, backoff. ARGV prefix, default delayMs, default parallelism, host, untilMs. */
const BACKOFF = `${COMMON}
local host = ARGV[4]
local s = ensureSlot(host, ARGV[2], ARGV[3])
s.backoffUntil = math.max(s.backoffUntil, tonumber(ARGV[5]))
redis.call('HSET', P .. 'h:' .. host, 'backoffUntil', fmt(s.backoffUntil))
redis.call('ZADD', P .. 'backoff', fmt(s.backoffUntil), host)
reschedule(host, s)
return 1
`;

/** drainHost: KEYS sched, n. ARGV prefix, host. Returns the queue members (ready, then waiting retries). */
const DRAIN = `${COMMON}
local host = ARGV[2]
local s = slot(host)
if not s then return {} end
local out = redis.call('ZRANGE', P .. 'q:' .. host, 0, -1)
for _, m in ipairs(redis.call('ZRANGE', P .. 'r:' .. host, 0, -1)) do out[#out + 1] = m end
redis.call('DEL', P .. 'q:' .. host, P .. 'r:' .. host)
redis.call('HINCRBY', P .. 'n', 'queued', -#out)
-- The node stores each drained request as a skipped record (host given up).
redis.call('HINCRBY', P .. 'n', 'skipped', #out)
reschedule(host, s)
return out
`;

/**
 * claimRedirect: KEYS seen, claims. ARGV prefix, target key, owner key, seed URL or ''.
 * Returns 1 when the target was new (now seen and claimed) or claimed by the same owner, else 0.
 */
const CLAIM = `
local P = ARGV[1]
if redis.call('SADD', P .. 'seen', ARGV[2]) == 1 then
  redis.call('HSET', P .. 'claims', ARGV[2], ARGV[3])
  if ARGV[4] ~= '' then redis.call('RPUSH', P .. 'seedRedirects', ARGV[4]) end
  return 1
end
if redis.call('HGET', P .. 'claims', ARGV[2]) == ARGV[3] then return 1 end
return 0
`;

/** seedRedirects: KEYS seedRedirects. Returns the list. */
const SEED_REDIRECTS = `return redis.call('LRANGE', KEYS[1], 0, -1)`;

/**
 * bookHost: KEYS sched, hosts. ARGV prefix, default delayMs, default parallelism, host, now,
 * sentNow (1/0). The rules of politeness/host-slot.ts `bookStart`. Returns the start time.
 */
const BOOK = `${COMMON}
local host, now = ARGV[4], tonumber(ARGV[5])
local s = ensureSlot(host, ARGV[2], ARGV[3])
local start = now
if ARGV[6] ~= '1' then start = math.max(now, s.nextAllowedAt, s.backoffUntil) end
s.nextAllowedAt = math.max(s.nextAllowedAt, start + s.delayMs)
redis.call('HSET', P .. 'h:' .. host, 'nextAllowedAt', fmt(s.nextAllowedAt))
reschedule(host, s)
return fmt(start)
`;

/**
 * status: KEYS n, leases, sched. ARGV prefix, now. One consistent snapshot:
 * [queued, leased, done, seen, hosts, hostsInBackoff, first ready host time|-1, first lease expiry|-1,
 *  records ok, failed, skipped, fetched].
 */
const STATUS = `${COMMON}
local now = tonumber(ARGV[2])
local n = redis.call('HMGET', P .. 'n', 'queued', 'done', 'ok', 'failed', 'skipped', 'fetched')
local sched = redis.call('ZRANGE', P .. 'sched', 0, 0, 'WITHSCORES')
local lease = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
return { tonumber(n[1] or '0'), redis.call('ZCARD', P .. 'leases'), tonumber(n[2] or '0'),
  redis.call('SCARD', P .. 'seen'), redis.call('SCARD', P .. 'hosts'),
  redis.call('ZCOUNT', P .. 'backoff', '(' .. fmt(now), '+inf'),
  sched[2] or '-1', lease[2] or '-1', tonumber(n[3] or '0'), tonumber(n[4] or '0'), tonumber(n[5] or '0'), tonumber(n[6] or '0') }
`;

/**
 * releaseNode: KEYS leases, lease, n. ARGV prefix, nodeId. Puts every request
 * leased under `nodeId` back in its queue at once (a node starting again
 * under the same id: its previous run will never complete them). Returns how many.
 */
const RELEASE_NODE = `${COMMON}
local mine = ARGV[2] .. ':'
local released = 0
for _, id in ipairs(redis.call('ZRANGE', P .. 'leases', 0, -1)) do
  if string.sub(id, 1, #mine) == mine then
    local host, member = takeLease(id)
    redis.call('ZADD', P .. 'q:' .. host, 0, member)
    redis.call('HINCRBY', P .. 'n', 'queued', 1)
    finish(host, true)
    released = released + 1
  end
end
return released
`;

/**
 * markStored: KEYS seen, n. ARGV prefix, then key, outcome (ok|failed|skipped) per
 * stored record. Recovery: marks pages a node stored as seen and done (counted by
 * outcome) unless already seen. Returns how many were new.
 */
const MARK_STORED = `
local P = ARGV[1]
local marked = 0
for i = 2, #ARGV, 2 do
  if redis.call('SADD', P .. 'seen', ARGV[i]) == 1 then
    marked = marked + 1
    redis.call('HINCRBY', P .. 'n', ARGV[i + 1], 1)
  end
end
if marked > 0 then redis.call('HINCRBY', P .. 'n', 'done', marked) end
return marked
`;

/** Script name → [number of KEYS, Lua source], unguarded (see FRONTIER_SCRIPTS). */
const SCRIPTS = {
  skeinFrontierAdd: [2, ADD],
  skeinFrontierLease: [3, LEASE],
  skeinFrontierComplete: [3, COMPLETE],
  skeinFrontierRetry: [3, RETRY],
  skeinFrontierSetPolicy: [2, SET_POLICY],
  skeinFrontierBackoff: [2, BACKOFF],
  skeinFrontierDrain: [2, DRAIN],
  skeinFrontierStatus: [3, STATUS],
  skeinFrontierClaim: [2, CLAIM],
  skeinFrontierSeedRedirects: [1, SEED_REDIRECTS],
  skeinFrontierBook: [2, BOOK],
  skeinFrontierReleaseNode: [3, RELEASE_NODE],
  skeinFrontierMarkStored: [2, MARK_STORED],
} as const satisfies Record<string, readonly [number, string]>;

export type FrontierScriptName = keyof typeof SCRIPTS;

/** Script name → [number of KEYS, Lua source], every one guarded by the identity check; for ioredis `defineCommand`. */
export const FRONTIER_SCRIPTS = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, [keys, lua]]) => [name, [keys, IDENTITY_GUARD + lua]]),
) as unknown as Record<FrontierScriptName, readonly [number, string]>;

/**
 * Read-only, for `skein status` (cluster-status.ts), run with `EVAL` and kept
 * here with the key layout it reads: the hosts in backoff and the busiest
 * host queues. KEYS backoff, hosts. ARGV prefix, now, top. Returns
 * [backoff host, until]…, then [host, queued, inFlight, delayMs]… after a
 * '--' marker.
 */
export const HOSTS_STATUS_SCRIPT = `
local P, now, top = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local b = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf', 'WITHSCORES', 'LIMIT', 0, top)
for _, v in ipairs(b) do out[#out + 1] = v end
out[#out + 1] = '--'
local rows = {}
for _, host in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local queued = redis.call('ZCARD', P .. 'q:' .. host) + redis.call('ZCARD', P .. 'r:' .. host)
  local s = redis.call('HMGET', P .. 'h:' .. host, 'inFlight', 'delayMs')
  local inFlight = tonumber(s[1] or '0')
  if queued + inFlight > 0 then rows[#rows + 1] = { host, queued, inFlight, s[2] or '0' } end
end
table.sort(rows, function(x, y) if x[2] ~= y[2] then return x[2] > y[2] end return x[1] < y[1] end)
for i = 1, math.min(top, #rows) do
  for _, v in ipairs(rows[i]) do out[#out + 1] = v end
end
return out
`;
