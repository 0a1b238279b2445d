/**
 * The Redis connection of a distributed node: ioredis with a reconnect
 * backoff, `redis://` or `rediss://` (TLS) URLs with optional user and
 * password, and every message about it redacted (the password never reaches
 * a log, an error or the terminal). Several URLs (comma-separated), or
 * `cluster: true`, make it an ioredis `Cluster`: the crawl's keys spread over
 * the cluster's masters (see frontier/redis-keys.ts). Scripts are sent with
 * EVALSHA and, on `NOSCRIPT` (a master restarted or failed over and lost its
 * script cache), once more with EVAL: ioredis' `defineCommand` does that.
 *
 * Start-up fails fast: if the first connection cannot be made (refused,
 * wrong password, TLS failure, nothing within `connectTimeoutMs`) the result
 * is a `FrontierUnavailableError` (exit code 3). Once connected, a lost
 * connection is retried for ever with backoff; commands issued meanwhile
 * fail at once (no offline queue), so the caller decides how long to wait
 * (see `RetryingFrontier`).
 */
import net from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` for TLS; several, comma-separated: a Redis Cluster's nodes. */
  url: string;
  /** A Redis Cluster even when `url` names one node. @default false */
  cluster?: boolean;
  /** Give up on the first connection after this long. @default 5000 */
  connectTimeoutMs?: number;
  /** A command without a reply within this fails (a dead peer that sent no RST). @default 10000 */
  commandTimeoutMs?: number;
  /** Reconnect delays grow by this per attempt… @default 100 */
  reconnectStepMs?: number;
  /** …up to this. @default 2000 */
  maxReconnectDelayMs?: number;
}

/**
 * The command timeout of a node whose outage limit is `redisTimeoutMs`: a
 * third of it (so a hung server fails a call well within the limit and the
 * retries still fit), at most the default 10 s, at least 250 ms. Pure.
 */
export function commandTimeoutFor(redisTimeoutMs: number): number {
  return Math.min(10_000, Math.max(250, Math.round(redisTimeoutMs / 3)));
}

/** A validated Redis URL (or list of cluster nodes) and its printable form. */
export interface RedisTarget {
  /** The URL as given (the first node's, for a cluster). */
  url: string;
  /** The URL(s) with user and password replaced by `***`. */
  redacted: string;
  tls: boolean;
  /** Secrets to scrub from any message (password, user). */
  secrets: string[];
  /** A Redis Cluster: several nodes named, or `--redis-cluster`. */
  cluster: boolean;
  /** host:port of every node named (one for a single Redis). */
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
}

/** The ioredis client of a single Redis or of a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Parses and checks a Redis URL, or a comma-separated list of the URLs of a
 * Redis Cluster's nodes (`cluster` true, or more than one URL: a cluster).
 * Throws `ConfigError` (field `redis`) naming only the redacted form. Pure.
 */
export function parseRedisUrl(spec: string, options: { cluster?: boolean } = {}): RedisTarget {
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new ConfigError('redis', 'expected a URL like redis://host:6379 or rediss://:password@host:6380');
  const parsed = parts.map(parseOne);
  const cluster = options.cluster === true || parsed.length > 1;
  const first = parsed[0]!;
  for (const other of parsed.slice(1)) {
    if (other.protocol !== first.protocol || other.username !== first.username || other.password !== first.password) {
      throw new ConfigError('redis', `every node of a Redis Cluster needs the same scheme, user and password (${printable(first)} and ${printable(other)} differ)`);
    }
  }
  if (cluster && first.pathname.replace(/^\//, '') !== '' && first.pathname !== '/0') {
    throw new ConfigError('redis', `a Redis Cluster has only database 0; drop "${first.pathname}" from ${printable(first)}`);
  }
  const secrets = [first.password, decodeSafe(first.password), first.username, decodeSafe(first.username)].filter((s) => s.length >= 3);
  return {
    url: first.href,
    redacted: parsed.map(printable).join(','),
    tls: first.protocol === 'rediss:',
    secrets: [...new Set(secrets)],
    cluster,
    nodes: parsed.map((u) => ({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) })),
    ...(first.username ? { username: decodeSafe(first.username) } : {}),
    ...(first.password ? { password: decodeSafe(first.password) } : {}),
  };
}

function parseOne(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('redis', 'expected a URL like redis://host:6379 or rediss://:password@host:6380 (several, comma-separated, for a Redis Cluster)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('redis', `expected a redis:// or rediss:// URL, got ${parsed.protocol}//…`);
  }
  return parsed;
}

function printable(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username) copy.username = '***';
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

/** `text` with every secret of `target` replaced by `***`. */
export function redact(text: string, target: Pick<RedisTarget, 'secrets'>): string {
  let out = text;
  for (const secret of target.secrets) out = out.split(secret).join('***');
  return out;
}

/** A connected client for a node. The caller quits it (`redis.quit()`). */
export interface RedisConnection {
  redis: RedisClient;
  target: RedisTarget;
  /** The last connection error seen, redacted (for messages). */
  lastError(): string | undefined;
  close(): Promise<void>;
}

/**
 * Connects, or throws `FrontierUnavailableError` (`ERR_REDIS_CONNECT`) with a
 * redacted message. A cluster must serve every one of its 16384 slots (a crawl
 * spreads its keys over all of them): one that does not is refused at once.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisConnection> {
  const target = parseRedisUrl(options.url, options.cluster ? { cluster: true } : {});
  const step = options.reconnectStepMs ?? 100;
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  let connected = false;
  let lastError: string | undefined;
  // Before the first success: no retry (fail fast, exit 3). After: retry for ever with backoff.
  const retry = (times: number) => (connected ? Math.min(times * step, maxDelay) : null);
  const common = {
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 10_000,
    maxRetriesPerRequest: 0,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  const redis: RedisClient = target.cluster
    ? new Cluster(target.nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        // Its ready check would retry a cluster with unserved slots in silence; checkSlots says why.
        enableReadyCheck: false,
        clusterRetryStrategy: retry,
        // A master that restarts or fails over: its slots answer again within a few refreshes.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        slotsRefreshTimeout: options.connectTimeoutMs ?? 5_000,
        redisOptions: common,
      })
    : new Redis(target.url, { lazyConnect: true, enableOfflineQueue: false, retryStrategy: retry, ...common });
  redis.on('error', (error: Error & { lastNodeError?: Error }) => {
    lastError = redact(error.lastNodeError ? `${error.message}: ${error.lastNodeError.message}` : error.message, target);
  });
  // A cluster's own errors hide why its nodes failed ("Failed to refresh slots cache"); each node's says it.
  let nodeError: string | undefined;
  redis.on('node error', (error: Error, node: string) => {
    nodeError = redact(`${node}: ${error.message}`, target);
  });
  redis.on('ready', () => {
    connected = true;
  });
  try {
    await redis.connect();
    if (redis instanceof Cluster) await checkSlots(redis);
    else await redis.ping();
  } catch (error) {
    redis.disconnect();
    const own = redact((error as Error).message, target);
    let why = error instanceof MissingSlotsError ? own : (nodeError ?? lastError ?? own);
    // ioredis says only "Connection is closed" of a cluster node it could not reach: ask TCP why.
    if (target.cluster && /Connection is closed/.test(why)) why = (await tcpProblem(target.nodes, options.connectTimeoutMs ?? 5_000)) ?? why;
    throw new FrontierUnavailableError('ERR_REDIS_CONNECT', `cannot reach Redis ${target.cluster ? 'Cluster ' : ''}at ${target.redacted}: ${why}`, { retryable: true });
  }
  return {
    redis,
    target,
    lastError: () => lastError,
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

class MissingSlotsError extends Error {}

/** The first `host:port: error` of a plain TCP connect to each node, or undefined when all accept. */
async function tcpProblem(nodes: RedisTarget['nodes'], timeoutMs: number): Promise<string | undefined> {
  const problems = await Promise.all(
    nodes.map(
      ({ host, port }) =>
        new Promise<string | undefined>((resolve) => {
          const socket = net.connect({ host, port });
          socket.setTimeout(timeoutMs, () => {
            socket.destroy();
            resolve(`${host}:${port}: no answer within ${timeoutMs} ms`);
          });
          socket.once('connect', () => {
            socket.destroy();
            resolve(undefined);
          });
          socket.once('error', (e) => resolve(`${host}:${port}: ${e.message}`));
        }),
    ),
  );
  const found = problems.filter((p) => p !== undefined);
  return found.length === 0 ? undefined : found.join('; ');
}

/** Throws unless every one of the 16384 slots has a master (CLUSTER SLOTS), naming the first ranges missing. */
async function checkSlots(cluster: Cluster): Promise<void> {
  const ranges = ((await cluster.cluster('SLOTS')) as Array<[number, number, ...unknown[]]>).map(([from, to]) => [Number(from), Number(to)] as const).sort((a, b) => a[0] - b[0]);
  const missing = missingSlotRanges(ranges);
  if (missing.length === 0) return;
  const shown = missing.slice(0, 3).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
  const count = missing.reduce((n, [a, b]) => n + b - a + 1, 0);
  throw new MissingSlotsError(`the cluster serves no master for ${count} of its 16384 slots (${shown}${missing.length > 3 ? ', …' : ''}); a crawl spreads over every slot: assign them (redis-cli --cluster fix) and start again`);
}

/** The slot ranges (inclusive) of 0–16383 that `covered` (sorted by start) leaves out. Pure. */
export function missingSlotRanges(covered: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const missing: Array<[number, number]> = [];
  let next = 0;
  for (const [from, to] of covered) {
    if (from > next) missing.push([next, from - 1]);
    next = Math.max(next, to + 1);
  }
  if (next <= 16383) missing.push([next, 16383]);
  return missing;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
