/**
 * A synthetic broad web: thousands of hosts, generated from a seed, that one
 * server process answers for (broad-web-server.ts) and whose ground truth is
 * computed from the generator (broad-web-truth.ts), never crawled.
 *
 * Hosts are loopback IP literals (host-address.ts). Per host, drawn once:
 * - pages: heavy-tailed (Pareto, exponent `pagesTailExponent`), 1 to
 *   `maxPagesPerHost`; page 0 is `/`, page i is `/p/i`;
 * - robots.txt: missing (404) for some, else a file that may disallow
 *   `/private/` (which pages then link to) and may ask for a `Crawl-delay`;
 * - behaviour: normal, slow (time to first byte), unavailable (503 for every
 *   path, robots.txt included), refused (its URLs use a port nobody listens
 *   on), reset (the socket is destroyed on every request) or hang (never
 *   answers);
 * - trap: pages also link to `/trap/x`, whose page links to `/trap/x/x`, …
 *   forever, and to a session-id variant of a page (`?sessionid=`).
 * Links of a page are recomputed from (seed, host, page) on demand: about
 * `linksPerPage` links, a `crossHostFraction` of them to other hosts chosen
 * with Zipf popularity (host 0 most popular), plus a 4-ary tree of same-host
 * links so that every page of a host is reachable from its home page.
 * `timeScale` scales every delay and latency (tests run the same web faster).
 */
import { hostAddress } from './host-address.js';
import { mixSeed, randomInt, seededRandom, type Random } from './seeded-random.js';

export type HostBehaviour = 'normal' | 'slow' | 'unavailable' | 'refused' | 'reset' | 'hang';
const BEHAVIOURS: readonly HostBehaviour[] = ['normal', 'slow', 'unavailable', 'refused', 'reset', 'hang'];

export interface BroadWebOptions {
  hosts: number;
  /** @default 1 */
  seed?: number;
  /** Seeds of a crawl: the home pages of the most popular hosts. @default 50 */
  seedCount?: number;
  /** @default 300 */
  maxPagesPerHost?: number;
  /** Pareto exponent of pages per host (lower: heavier tail). @default 1 */
  pagesTailExponent?: number;
  /** @default 25 */
  linksPerPage?: number;
  /** @default 0.15 */
  crossHostFraction?: number;
  /** Zipf exponent of host popularity for cross-host links. @default 1 */
  popularityExponent?: number;
  /** Hosts without robots.txt (404). @default 0.3 */
  noRobotsFraction?: number;
  /** Hosts whose robots.txt disallows `/private/`. @default 0.2 */
  disallowFraction?: number;
  /** Hosts whose robots.txt has a Crawl-delay (one of `crawlDelaysMs`). @default 0.05 */
  crawlDelayFraction?: number;
  /** @default [250, 500, 1000] */
  crawlDelaysMs?: number[];
  /** Fractions of hosts per behaviour other than normal. */
  behaviours?: Partial<Record<Exclude<HostBehaviour, 'normal'>, number>>;
  /** Time to first byte of slow hosts, ms. @default [200, 1000] */
  slowLatencyMs?: [number, number];
  /** @default 0.01 */
  trapFraction?: number;
  /** Multiplies every Crawl-delay and latency. @default 1 */
  timeScale?: number;
}

export const DEFAULT_BEHAVIOURS: Record<Exclude<HostBehaviour, 'normal'>, number> = {
  slow: 0.03,
  unavailable: 0.01,
  refused: 0.01,
  reset: 0.005,
  hang: 0.005,
};

/** One host as generated. */
export interface BroadHost {
  index: number;
  address: string;
  behaviour: HostBehaviour;
  pages: number;
  /** 0 for hosts that answer at once. */
  latencyMs: number;
  hasRobots: boolean;
  disallowPrivate: boolean;
  /** 0 without a Crawl-delay. */
  crawlDelayMs: number;
  trap: boolean;
}

/** A link: a host index and a path (with query) on it. */
export interface BroadLink {
  host: number;
  path: string;
}

/** The ports a web is served on: `port` for every host, `deadPort` (nobody listens) in refused hosts' URLs. */
export interface BroadWebPorts {
  port: number;
  deadPort: number;
}

/** Private pages per disallowing host (`/private/0` … `/private/9`). */
export const PRIVATE_PAGES = 10;

export class BroadWeb {
  readonly options: Required<Omit<BroadWebOptions, 'behaviours'>> & { behaviours: Record<Exclude<HostBehaviour, 'normal'>, number> };
  readonly #behaviour: Uint8Array;
  readonly #pages: Uint16Array;
  readonly #latencyMs: Uint32Array;
  readonly #crawlDelayMs: Uint32Array;
  /** bit 0: has robots, bit 1: disallows /private/, bit 2: trap. */
  readonly #flags: Uint8Array;
  /** Cumulative Zipf weights of hosts. */
  readonly #popularity: Float64Array;

  constructor(options: BroadWebOptions) {
    this.options = {
      seed: 1,
      seedCount: 50,
      maxPagesPerHost: 300,
      pagesTailExponent: 1,
      linksPerPage: 25,
      crossHostFraction: 0.15,
      popularityExponent: 1,
      noRobotsFraction: 0.3,
      disallowFraction: 0.2,
      crawlDelayFraction: 0.05,
      crawlDelaysMs: [250, 500, 1000],
      slowLatencyMs: [200, 1000],
      trapFraction: 0.01,
      timeScale: 1,
      ...options,
      behaviours: { ...DEFAULT_BEHAVIOURS, ...options.behaviours },
    };
    const n = options.hosts;
    this.#behaviour = new Uint8Array(n);
    this.#pages = new Uint16Array(n);
    this.#latencyMs = new Uint32Array(n);
    this.#crawlDelayMs = new Uint32Array(n);
    this.#flags = new Uint8Array(n);
    this.#popularity = new Float64Array(n);
    const random = seededRandom(mixSeed(this.options.seed, 0x5eed));
    let total = 0;
    for (let i = 0; i < n; i++) {
      this.#drawHost(i, random);
      total += 1 / Math.pow(i + 1, this.options.popularityExponent);
      this.#popularity[i] = total;
    }
  }

  get hostCount(): number {
    return this.#pages.length;
  }

  host(index: number): BroadHost {
    const flags = this.#flags[index]!;
    return {
      index,
      address: hostAddress(index),
      behaviour: BEHAVIOURS[this.#behaviour[index]!]!,
      pages: this.#pages[index]!,
      latencyMs: this.#latencyMs[index]!,
      hasRobots: (flags & 1) !== 0,
      disallowPrivate: (flags & 2) !== 0,
      crawlDelayMs: this.#crawlDelayMs[index]!,
      trap: (flags & 4) !== 0,
    };
  }

  /** `http://127.a.b.c:port` (the dead port for refused hosts). */
  origin(index: number, ports: BroadWebPorts): string {
    const port = this.#behaviour[index] === BEHAVIOURS.indexOf('refused') ? ports.deadPort : ports.port;
    return `http://${hostAddress(index)}:${port}`;
  }

  url(link: BroadLink, ports: BroadWebPorts): string {
    return this.origin(link.host, ports) + link.path;
  }

  /** The crawl's seed URLs: home pages of the `seedCount` most popular hosts. */
  seedUrls(ports: BroadWebPorts): string[] {
    const count = Math.min(this.options.seedCount, this.hostCount);
    return Array.from({ length: count }, (_, i) => this.url({ host: i, path: '/' }, ports));
  }

  /** robots.txt of a host, or undefined (404). */
  robotsTxt(index: number): string | undefined {
    const host = this.host(index);
    if (!host.hasRobots) return undefined;
    const lines = ['User-agent: *', host.disallowPrivate ? 'Disallow: /private/' : 'Disallow:'];
    if (host.crawlDelayMs > 0) lines.push(`Crawl-delay: ${host.crawlDelayMs / 1000}`);
    return lines.join('\n') + '\n';
  }

  /** The links on page `page` of host `index` (a regular page: `/` or `/p/i`). */
  pageLinks(index: number, page: number): BroadLink[] {
    const o = this.options;
    const random = seededRandom(mixSeed(o.seed, index, page));
    const pages = this.#pages[index]!;
    const flags = this.#flags[index]!;
    const count = Math.max(1, o.linksPerPage - 10 + randomInt(random, 21));
    const links: BroadLink[] = [];
    for (let child = 4 * page + 1; child <= 4 * page + 4 && child < pages; child++) links.push({ host: index, path: pagePath(child) });
    while (links.length < count) {
      if (random() < o.crossHostFraction) {
        const target = this.#popularHost(random);
        const targetPage = random() < 0.5 ? 0 : randomInt(random, this.#pages[target]!);
        links.push({ host: target, path: pagePath(targetPage) });
      } else {
        links.push({ host: index, path: pagePath(randomInt(random, pages)) });
      }
    }
    if (flags & 2) for (let k = 0; k < 2; k++) links.push({ host: index, path: `/private/${randomInt(random, PRIVATE_PAGES)}` });
    if (random() < 0.2) links.push({ host: index, path: `/missing/${randomInt(random, 1000)}` });
    if (flags & 4) {
      links.push({ host: index, path: '/trap/x' });
      links.push({ host: index, path: `${pagePath(randomInt(random, pages))}?sessionid=${randomInt(random, 1e9)}` });
    }
    return links;
  }

  /** The links on a trap page with `depth` x segments: one level deeper, and home. */
  trapLinks(index: number, depth: number): BroadLink[] {
    return [
      { host: index, path: '/trap' + '/x'.repeat(depth + 1) },
      { host: index, path: '/' },
    ];
  }

  #drawHost(i: number, random: Random): void {
    const o = this.options;
    this.#pages[i] = Math.min(o.maxPagesPerHost, Math.floor(Math.pow(1 - random(), -1 / o.pagesTailExponent)));
    let pick = random();
    let behaviour = 0;
    for (const [name, fraction] of Object.entries(o.behaviours)) {
      if (pick < fraction) {
        behaviour = BEHAVIOURS.indexOf(name as HostBehaviour);
        break;
      }
      pick -= fraction;
    }
    this.#behaviour[i] = behaviour;
    const [slowMin, slowMax] = o.slowLatencyMs;
    this.#latencyMs[i] = BEHAVIOURS[behaviour] === 'slow' ? Math.round((slowMin + random() * (slowMax - slowMin)) * o.timeScale) : 0;
    const hasRobots = random() >= o.noRobotsFraction;
    const disallow = hasRobots && random() < o.disallowFraction / (1 - o.noRobotsFraction);
    const delayed = hasRobots && random() < o.crawlDelayFraction / (1 - o.noRobotsFraction);
    this.#crawlDelayMs[i] = delayed ? Math.round(o.crawlDelaysMs[randomInt(random, o.crawlDelaysMs.length)]! * o.timeScale) : 0;
    const trap = random() < o.trapFraction;
    this.#flags[i] = (hasRobots ? 1 : 0) | (disallow ? 2 : 0) | (trap ? 4 : 0);
  }

  #popularHost(random: Random): number {
    const weights = this.#popularity;
    const target = random() * weights[weights.length - 1]!;
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weights[mid]! <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** `/` for page 0, `/p/i` otherwise. */
export function pagePath(page: number): string {
  return page === 0 ? '/' : `/p/${page}`;
}

/** What a path on a host is, for the server and the truth. */
export type BroadPath =
  | { kind: 'robots' }
  | { kind: 'page'; page: number }
  | { kind: 'private'; page: number }
  | { kind: 'trap'; depth: number }
  | { kind: 'other' };

/** Classifies a request path (query ignored) on a host of `pages` pages. */
export function classifyPath(path: string, pages: number): BroadPath {
  const pathname = path.split('?')[0]!;
  if (pathname === '/robots.txt') return { kind: 'robots' };
  if (pathname === '/') return { kind: 'page', page: 0 };
  let match = /^\/p\/(\d+)$/.exec(pathname);
  if (match) {
    const page = Number(match[1]);
    return page > 0 && page < pages ? { kind: 'page', page } : { kind: 'other' };
  }
  match = /^\/private\/(\d)$/.exec(pathname);
  if (match) return { kind: 'private', page: Number(match[1]) };
  match = /^\/trap((?:\/x)+)$/.exec(pathname);
  if (match) return { kind: 'trap', depth: match[1]!.length / 2 };
  return { kind: 'other' };
}
