/**
 * How the sharded Redis frontier names and encodes things compactly. Pure.
 *
 * - Shards: a host belongs to shard `XXH64(host) mod shards`; every key of a
 *   shard carries its own hash tag (redis-keys.ts), so all of one host's
 *   state sits in one Redis Cluster slot and the shards spread over the
 *   cluster's masters.
 * - Seen URLs: the XXH64 fingerprint of the normalised URL, its low 8 bits
 *   naming one of 256 buckets (a SET per bucket per shard), the other 56 bits
 *   the member, as a decimal integer so Redis keeps each bucket as an intset
 *   (8 bytes a member, sorted, no per-member object) while it holds at most
 *   `set-max-intset-entries` (default 512) members.
 * - Queued requests: one line-separated string per request with no JSON keys
 *   and the queue's own host left out of the URLs:
 *   `depth \n priority \n source[attempt] \n key \n referrer \n url`,
 *   trailing empty fields dropped; `key` and a same-host `referrer` as their
 *   path (`/a?b`, or `+/a?b` for https), other URLs in full; `url` only when
 *   it differs from `key`. WHATWG URLs never hold a raw newline.
 */
import type { CrawlRequest, RequestSource } from '../core/types.js';
import { urlFingerprint } from './fingerprint-set.js';

/** Shards of a new crawl (its definition keeps the number, so every node agrees). */
export const DEFAULT_SHARDS = 256;

/** Seen-set buckets per shard. */
export const SEEN_BUCKETS = 256;

/** The shard of `host` among `shards`. */
export function shardOfHost(host: string, shards: number): number {
  return Number(urlFingerprint(host) % BigInt(shards));
}

/** Where a URL's fingerprint lives in its shard's seen-set: bucket and intset member. */
export function seenSlot(key: string): { bucket: number; member: string } {
  const fp = urlFingerprint(key);
  return { bucket: Number(fp & 0xffn), member: (fp >> 8n).toString() };
}

/** A URL's fingerprint as a short string (redirect claims map target → owner by these). */
export function fingerprintId(key: string): string {
  return urlFingerprint(key).toString(36);
}

const SOURCE_CODES: Record<RequestSource, string> = { seed: 's', link: 'l', sitemap: 'm' };
const SOURCES: Record<string, RequestSource> = { s: 'seed', l: 'link', m: 'sitemap' };

/** `url` relative to `host`: its path for http, `+` and its path for https, else itself. */
function relative(url: string, host: string): string {
  if (url.startsWith(`http://${host}/`)) return url.slice(7 + host.length);
  if (url.startsWith(`https://${host}/`)) return '+' + url.slice(8 + host.length);
  return url;
}

function absolute(text: string, host: string): string {
  if (text.startsWith('/')) return `http://${host}${text}`;
  if (text.startsWith('+/')) return `https://${host}${text.slice(1)}`;
  return text;
}

/** The queue member of `request` in the queue of `host` (the host of its key). */
export function encodeRequest(request: CrawlRequest, host: string): string {
  const fields = [
    String(request.depth),
    String(request.priority ?? 0),
    SOURCE_CODES[request.source] + (request.attempt ? String(request.attempt) : ''),
    relative(request.key, host),
    request.referrer ? relative(request.referrer, host) : '',
    request.url === request.key ? '' : request.url,
  ];
  while (fields[fields.length - 1] === '') fields.pop();
  return fields.join('\n');
}

/** The request a queue member of `host` stands for. */
export function decodeRequest(member: string, host: string): CrawlRequest {
  const [depth, priority, source, key, referrer, url] = member.split('\n') as [string, string, string, string, string?, string?];
  const absoluteKey = absolute(key, host);
  const attempt = Number(source.slice(1) || '0');
  return {
    key: absoluteKey,
    url: url ? url : absoluteKey,
    depth: Number(depth),
    source: SOURCES[source[0]!] ?? 'link',
    ...(referrer ? { referrer: absolute(referrer, host) } : {}),
    ...(Number(priority) !== 0 ? { priority: Number(priority) } : {}),
    ...(attempt > 0 ? { attempt } : {}),
  };
}
