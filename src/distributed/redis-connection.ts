/**
 * The Redis connection of a distributed node: ioredis with a reconnect
 * backoff, `redis://` or `rediss://` (TLS) URLs with optional user and
 * password, and every message about it redacted (the password never reaches
 * a log, an error or the terminal).
 *
 * Start-up fails fast: if the first connection cannot be made (refused,
 * wrong password, TLS failure, nothing within `connectTimeoutMs`) the result
 * is a `FrontierUnavailableError` (exit code 3). Once connected, a lost
 * connection is retried for ever with backoff; commands issued meanwhile
 * fail at once (no offline queue), so the caller decides how long to wait
 * (see `RetryingFrontier`).
 */
import { Redis } from 'ioredis';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` for TLS. */
  url: string;
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

/** A validated Redis URL and its printable form. */
export interface RedisTarget {
  url: string;
  /** The URL with user and password replaced by `***`. */
  redacted: string;
  tls: boolean;
  /** Secrets to scrub from any message (password, user). */
  secrets: string[];
}

/** Parses and checks a Redis URL; throws `ConfigError` (field `redis`) naming only the redacted form. */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('redis', 'expected a URL like redis://host:6379 or rediss://:password@host:6380');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('redis', `expected a redis:// or rediss:// URL, got ${parsed.protocol}//…`);
  }
  const secrets = [parsed.password, decodeSafe(parsed.password), parsed.username, decodeSafe(parsed.username)].filter((s) => s.length >= 3);
  const printable = new URL(parsed.href);
  if (printable.username) printable.username = '***';
  if (printable.password) printable.password = '***';
  return { url: parsed.href, redacted: printable.href.replace(/\/$/, ''), tls: parsed.protocol === 'rediss:', secrets: [...new Set(secrets)] };
}

/** `text` with every secret of `target` replaced by `***`. */
export function redact(text: string, target: Pick<RedisTarget, 'secrets'>): string {
  let out = text;
  for (const secret of target.secrets) out = out.split(secret).join('***');
  return out;
}

/** A connected client for a node. The caller quits it (`redis.quit()`). */
export interface RedisConnection {
  redis: Redis;
  target: RedisTarget;
  /** The last connection error seen, redacted (for messages). */
  lastError(): string | undefined;
  close(): Promise<void>;
}

/** Connects, or throws `FrontierUnavailableError` (`ERR_REDIS_CONNECT`) with a redacted message. */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisConnection> {
  const target = parseRedisUrl(options.url);
  const step = options.reconnectStepMs ?? 100;
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  let connected = false;
  let lastError: string | undefined;
  const redis = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 10_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Before the first success: no retry (fail fast, exit 3). After: retry for ever with backoff.
    retryStrategy: (times) => (connected ? Math.min(times * step, maxDelay) : null),
    ...(target.tls ? { tls: {} } : {}),
  });
  redis.on('error', (error: Error) => {
    lastError = redact(error.message, target);
  });
  redis.on('ready', () => {
    connected = true;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const why = lastError ?? redact((error as Error).message, target);
    throw new FrontierUnavailableError('ERR_REDIS_CONNECT', `cannot reach Redis at ${target.redacted}: ${why}`, { retryable: true });
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

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
