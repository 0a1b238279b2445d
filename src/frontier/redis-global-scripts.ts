/**
 * The crawl-wide part of the sharded Redis frontier: small keys in the
 * crawl's own slot (`skein:{<crawlId>}:`), touched about ten times a second
 * per node, never per page.
 *
 *   g       HASH  out (maxPages tokens out of the global budget: given to shards and not
 *                 handed back), and per shard s: g:s (tokens ever given to it), t:s (tokens
 *                 it ever handed back, credited), v:s (version of its last report applied),
 *                 st:s ("queued,leased,pool" of that report), pooled (the pools of those
 *                 reports added up: budget the shards hold, as last reported)
 *   ready   ZSET  shard → when it may next hand out a lease (its report's nextAt); a shard
 *                 with nothing queued and nothing leased is absent. The index nodes pick
 *                 shards from, without asking every shard.
 *
 * The index is a hint kept fresh by every node (each shard script answers
 * with the shard's report, nodes send them here in `sync`); a report older
 * than the one applied (lower version) is ignored. Decisions that must be
 * exact (the done test, status) ask every shard.
 */
import { IDENTITY_ERRORS } from './redis-keys.js';

/** Checks the crawl's identity at KEYS[key] against the token in ARGV[1]. */
function guard(key: number): string {
  return `local found = redis.call('GET', KEYS[${key}])
if found ~= ARGV[1] then
  if found then return redis.error_reply('${IDENTITY_ERRORS.replaced} ' .. KEYS[${key}]) end
  return redis.error_reply('${IDENTITY_ERRORS.gone} ' .. KEYS[${key}])
end
`;
}

/**
 * sync. KEYS g, ready, identity. ARGV token, now, maxPages, how many ready shards wanted,
 * random in [0,1), number of reports, then per report: shard, ver, nextAt, queued, leased,
 * back, pool, force (1: apply whatever its version); then per grant asked: shard, tokens.
 * A grant is at most what was asked, and at most the remaining budget over twice the
 * shards with work (at least 1). Reply: remaining budget, shards in the index, first time in the index (-1 when empty),
 * then per grant asked: tokens given to that shard (cumulative), then per ready shard
 * (nextAt <= now, from a random offset): shard, tokens given (cumulative).
 */
export const SYNC_SCRIPT = `
${guard(3)}local G, ready = KEYS[1], KEYS[2]
local function fmt(x) return string.format('%.0f', x) end
local function num(v) return tonumber(v or '0') or 0 end
local now, maxPages, want, rand, reports = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local i = 7
for _ = 1, reports do
  local s, ver, nextAt, queued, leased, back, pool, force = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5]), ARGV[i + 6], ARGV[i + 7]
  i = i + 8
  if force == '1' or ver > num(redis.call('HGET', G, 'v:' .. s)) then
    local before = string.match(redis.call('HGET', G, 'st:' .. s) or '0,0,0', '(%d+)$')
    redis.call('HINCRBY', G, 'pooled', tonumber(pool) - tonumber(before))
    redis.call('HSET', G, 'v:' .. s, fmt(ver), 'st:' .. s, queued .. ',' .. leased .. ',' .. pool)
    if nextAt < 0 then redis.call('ZREM', ready, s) else redis.call('ZADD', ready, fmt(nextAt), s) end
  end
  local taken = num(redis.call('HGET', G, 't:' .. s))
  if back > taken then
    redis.call('HSET', G, 't:' .. s, fmt(back))
    redis.call('HINCRBY', G, 'out', taken - back)
  end
end
local out = { 0, redis.call('ZCARD', ready), -1, -1, num(redis.call('HGET', G, 'pooled')) }
-- Grants shrink as the budget runs low, so tokens are not stranded in a few shards' pools.
local share = math.max(1, math.floor((maxPages - num(redis.call('HGET', G, 'out'))) / (2 * math.max(1, out[2]))))
while i <= #ARGV do
  local s, asked = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  local grant = math.max(0, math.min(asked, share, maxPages - num(redis.call('HGET', G, 'out'))))
  if grant > 0 then
    redis.call('HINCRBY', G, 'out', grant)
    redis.call('HINCRBY', G, 'g:' .. s, grant)
  end
  out[#out + 1] = num(redis.call('HGET', G, 'g:' .. s))
end
out[1] = math.max(0, maxPages - num(redis.call('HGET', G, 'out')))
local first = redis.call('ZRANGE', ready, 0, 0, 'WITHSCORES')
if first[2] then out[3] = first[2]; out[4] = first[1] end
local count = redis.call('ZCOUNT', ready, '-inf', fmt(now))
if count > 0 and want > 0 then
  local offset = math.floor(rand * count)
  local picked = redis.call('ZRANGEBYSCORE', ready, '-inf', fmt(now), 'LIMIT', offset, want)
  if #picked < want and offset > 0 then
    for _, s in ipairs(redis.call('ZRANGEBYSCORE', ready, '-inf', fmt(now), 'LIMIT', 0, math.min(offset, want - #picked))) do picked[#picked + 1] = s end
  end
  for _, s in ipairs(picked) do
    out[#out + 1] = s
    out[#out + 1] = num(redis.call('HGET', G, 'g:' .. s))
  end
end
return out
`;

/**
 * seedRedirect. KEYS seedRedirects (LIST), seedRedirectSet (a SET of the same URLs), identity.
 * ARGV token, URL. Appends the URL once.
 */
export const SEED_REDIRECT_SCRIPT = `
${guard(3)}if redis.call('SADD', KEYS[2], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[2]) end
return 1
`;

/** seedRedirects. KEYS seedRedirects, identity. ARGV token. Reply: the list. */
export const SEED_REDIRECTS_SCRIPT = `
${guard(2)}return redis.call('LRANGE', KEYS[1], 0, -1)
`;
