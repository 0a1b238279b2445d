/**
 * The one config schema. Validated once at the boundary (`loadConfig`);
 * everything downstream receives a complete, typed `CrawlConfig`.
 * Every option documents its default. `config/skein.schema.json` is generated
 * from this file (`npm run schema`).
 */
import { z } from 'zod';
import { CRAWL_NAME_PATTERN, CRAWL_NAME_RULE, DEFAULT_DATA_DIR } from './crawl-location.js';
import { extractSchema } from './extract-schema.js';
import { DEFAULT_STRIP_PARAMS } from '../url/normalize-url.js';
import { parseCidr } from '../fetch/address-ranges.js';
import { proxyUrlProblem } from '../fetch/proxy-url.js';
import { insecureHostProblem } from '../fetch/tls-policy.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const httpUrl = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an absolute http(s) URL, e.g. "https://example.com/"');

const positiveInt = z.number().int().positive();

/** A proxy URL (http, https, socks4, socks5, socks5h; credentials and ${env:NAME} allowed); the message never shows credentials. */
const proxyUrl = z.string().superRefine((value, ctx) => {
  const problem = proxyUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

/** A CIDR range ("10.0.0.0/8", "fd00::/8") or a single address. */
const cidr = z.string().refine((s) => parseCidr(s) !== undefined, 'expected a CIDR range such as "10.0.0.0/8" or "fd00::/8", or one IP address');
const nonNegativeInt = z.number().int().nonnegative();

/** A host whose TLS certificate is not checked: a name, an IP, or `*.` over a registrable domain (never `*`). */
const insecureHost = z.string().superRefine((value, ctx) => {
  const problem = insecureHostProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

const caFile = z.string().min(1, 'expected the path of a PEM file');

export const scopeSchema = z
  .object({
    /** Which hosts links may lead to. @default "same-host" */
    mode: z
      .enum(['same-host', 'same-domain', 'same-origin', 'any'])
      .default('same-host')
      .describe('Which links are in scope relative to the seeds: same-host (default), same-domain (registrable domain), same-origin (scheme+host+port) or any.'),
    /**
     * Patterns a discovered link (or sitemap URL) must match to be followed: globs matched against
     * the whole URL ("https://site/blog/**") or regexes written "/.../flags". Empty = everything in
     * scope. Seeds are always fetched. @default []
     */
    include: z
      .array(z.string())
      .default([])
      .describe('URL patterns a discovered link or sitemap URL must match to be followed: globs of the whole URL ("**/blog/**") or regexes ("/\\\\/p\\\\/\\\\d+/"). Empty means all. Seeds are always fetched.'),
    /** Patterns of links not to follow, same syntax as include. Seeds are always fetched. @default [] */
    exclude: z
      .array(z.string())
      .default([])
      .describe('URL patterns of discovered links and sitemap URLs not to follow: globs of the whole URL ("**/*.pdf") or /regexes/. Seeds are always fetched.'),
    /** Maximum link depth from a seed (seeds are depth 0). @default 10 */
    maxDepth: nonNegativeInt.default(10).describe('Maximum link depth from the seeds (seeds are depth 0).'),
    /**
     * Maximum pages fetched (ok + failed, and fetched pages skipped for their content type or a
     * noindex); never overshot under concurrency. URLs never requested (disallowed by robots.txt,
     * host given up) do not count. @default 10000
     */
    maxPages: positiveInt
      .default(10_000)
      .describe('Maximum number of pages fetched in the whole crawl; URLs never requested (robots.txt, a host given up) do not count.'),
    /** URLs longer than this are dropped (crawler-trap guard). @default 2048 */
    maxUrlLength: positiveInt.default(2048).describe('URLs longer than this are dropped as traps.'),
    /** A path segment repeated more than this many times marks a trap. @default 3 */
    maxRepeatedSegments: positiveInt.default(3).describe('A path segment appearing more than this many times marks a crawler trap.'),
    /** Query parameters removed during normalisation (globs on the name). */
    stripParams: z
      .array(z.string())
      .default([...DEFAULT_STRIP_PARAMS])
      .describe('Query parameter names (globs, case-insensitive) removed when normalising URLs.'),
    /** Sort query parameters when normalising. @default true */
    sortParams: z.boolean().default(true).describe('Sort query parameters when normalising URLs.'),
    /**
     * Check off-site links too: each URL once, with HEAD (GET when HEAD is refused), never crawled
     * beyond; stored as records with `external: true`, so reports and `skein check` list broken
     * outbound links. @default false
     */
    checkExternal: z
      .boolean()
      .default(false)
      .describe('Check links that leave the scope (offsite) too: each such URL once, with HEAD (GET when HEAD is refused), with the same politeness, robots.txt, timeouts and private-network guard, never crawled beyond; stored as records marked external: true, which do not count toward maxPages.'),
  })
  .strict();

export const fetchSchema = z
  .object({
    /** Requests in flight across all hosts. @default 32 */
    concurrency: positiveInt.max(1024).default(32).describe('Requests in flight across all hosts.'),
    /**
     * A request in flight this long (ms) stops counting against `concurrency`, up to as many
     * requests again: slow or hanging hosts cannot take every slot. 0: off. @default 2000
     */
    slowRequestMs: nonNegativeInt
      .default(2_000)
      .describe('A request in flight this long (ms) stops counting against fetch.concurrency, up to as many requests again, so that slow or hanging hosts (or their robots.txt) cannot take every slot; 0 turns this off.'),
    /** Requests in flight per host. @default 4 */
    perHostParallelism: positiveInt.max(256).default(4).describe('Requests in flight to one host.'),
    /** User-Agent header; names skein and a contact URL. */
    userAgent: z.string().min(1).default('skein/0.1 (+https://github.com/skein-crawler/skein)').describe('User-Agent header sent with every request.'),
    /**
     * Extra request headers sent to the crawl's hosts (hosts outside its scope, such as links
     * checked with scope.checkExternal, get only the plain ones). Values may use `${env:NAME}`; values are stored
     * as "[redacted]" (but for Accept*, Cache-Control and the like, and env references). @default {}
     */
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra request headers sent to the crawl\'s hosts; hosts outside its scope (links checked with scope.checkExternal, robots.txt there) get only the plain ones (Accept*, Cache-Control…), never credentials. A value may use ${env:NAME} (read from the environment when the crawl starts). Values are never written to disk or printed: stored as "[redacted]", except env references and plain headers (Accept*, Cache-Control…). For credentials prefer hostHeaders.'),
    /**
     * Extra request headers for some hosts only: `{ "api.example.com": { "Authorization": "Bearer ${env:API_TOKEN}" } }`;
     * `*.example.com` matches its subdomains. Redirects to other hosts do not carry them. @default {}
     */
    hostHeaders: z
      .record(z.string().regex(/^(\*\.)?[A-Za-z0-9._:[\]-]+$/, 'expected a host name such as "api.example.com" or "*.example.com"'), z.record(z.string(), z.string()))
      .default({})
      .describe('Extra request headers sent only to some hosts, e.g. { "api.example.com": { "Authorization": "Bearer ${env:API_TOKEN}" } }; "*.example.com" matches its subdomains. A redirect to another host does not carry them. Values may use ${env:NAME} and are never stored or printed.'),
    /** Per-phase timeouts in milliseconds. */
    timeouts: z
      .object({
        lookupMs: positiveInt.default(5_000).describe('DNS lookup timeout (ms).'),
        connectMs: positiveInt.default(10_000).describe('TCP connect timeout (ms).'),
        secureConnectMs: positiveInt.default(10_000).describe('TLS handshake timeout (ms).'),
        /** Headers must arrive within this. */
        responseMs: positiveInt.default(20_000).describe('Time for the response headers to arrive after the request was sent (ms).'),
        /** Socket idle (no bytes) limit. */
        socketMs: positiveInt.default(20_000).describe('Socket idle limit: no bytes for this long fails the request (ms).'),
        sendMs: positiveInt.default(10_000).describe('Time to send the request (ms).'),
        /** Whole request including body. */
        requestMs: positiveInt.default(60_000).describe('Whole request, redirects and body included (ms).'),
      })
      .strict()
      .prefault({})
      .describe('Timeouts per phase (ms).'),
    /** Retries for retryable failures (timeouts, resets, 5xx, 429). @default 2 */
    retries: nonNegativeInt.max(10).default(2).describe('Retries for retryable failures (timeouts, connection resets, 408/429/5xx).'),
    /** Cap on decompressed body bytes; the stream is aborted there. @default 10 MiB */
    maxBodyBytes: positiveInt.default(10 * MiB).describe('Cap on decompressed body bytes; larger bodies are aborted and recorded as body-too-large.'),
    /** Redirect hops followed before giving up. @default 10 */
    maxRedirects: nonNegativeInt.max(50).default(10).describe('Maximum redirect hops.'),
    /** Content types sent to the parser. Others are recorded, not parsed. */
    parseContentTypes: z.array(z.string()).default(['text/html', 'application/xhtml+xml']).describe('Content types that are parsed; others are recorded without parsing.'),
    /**
     * Proxy for every request: one URL, or a list used in turn (one request each). http://,
     * https://, socks5:// (names resolved here), socks5h:// (names resolved by the proxy),
     * socks4://; credentials in the URL, `${env:NAME}` allowed. Unset: HTTP_PROXY / HTTPS_PROXY /
     * NO_PROXY from the environment (see proxyFromEnv).
     * @example "http://user:${env:PROXY_PASSWORD}@proxy.example:3128"
     */
    proxy: z
      .union([proxyUrl, z.array(proxyUrl).min(1)])
      .optional()
      .describe('Proxy for every request: a URL (http://, https://, socks5://, socks5h://, socks4://; user:password@ allowed, ${env:NAME} too), or a list used in turn, one request each. Unset: HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the environment. Credentials are never stored or printed.'),
    /** Per-host proxy overrides: host pattern → proxy URL, a list, or "direct". @default {} */
    proxyHosts: z
      .record(z.string().regex(/^(\*\.)?[A-Za-z0-9._:[\]-]+$/, 'expected a host name such as "intranet.example.com" or "*.example.com"'), z.union([proxyUrl, z.array(proxyUrl).min(1)]))
      .default({})
      .describe('Per-host proxy overrides: { "intranet.example.com": "direct", "*.shop.example": ["socks5://127.0.0.1:1080", "socks5://127.0.0.1:1081"] } ("*.example.com" matches its subdomains).'),
    /**
     * Keep cookies: a cookie jar for the crawl (RFC 6265), sent back to the sites that set them and
     * kept in <crawl>/cookies.json so that a resumed crawl continues the session. @default false
     */
    cookies: z.boolean().default(false).describe('Keep the cookies sites set (a cookie jar per crawl, RFC 6265) and send them back, e.g. for a logged-in session; saved in <crawl>/cookies.json (owner-only) so that resume continues the session.'),
    /** Use HTTP_PROXY / HTTPS_PROXY / NO_PROXY when `proxy` is not set. @default true */
    proxyFromEnv: z.boolean().default(true).describe('When proxy is not set, use the HTTP_PROXY / HTTPS_PROXY / NO_PROXY environment variables (lower-case too), as curl does.'),
    /**
     * TLS: CA certificates trusted besides the built-in roots, and the only hosts whose
     * certificates are not checked.
     */
    tls: z
      .object({
        /**
         * PEM file(s) of CA certificates to trust, added to the built-in roots (and NODE_EXTRA_CA_CERTS),
         * e.g. a company's internal CA. A relative path in a config file is relative to the file.
         * @example "/etc/ssl/internal-ca.pem"
         */
        ca: z
          .union([caFile, z.array(caFile).min(1)])
          .optional()
          .describe('PEM file(s) of CA certificates to trust as well as the built-in roots, e.g. an internal CA ("/etc/ssl/internal-ca.pem" or a list). A relative path in a config file is relative to that file. A missing or invalid file is a config error.'),
        /** Trust only the `ca` certificates, not the built-in roots. @default false */
        caOnly: z.boolean().default(false).describe('Trust only the certificates of ca, not the built-in roots (nor NODE_EXTRA_CA_CERTS).'),
        /**
         * Hosts whose TLS certificates are NOT checked (self-signed development servers): exact
         * names or IPs, or "*.dev.example" for its subdomains; "*" and public suffixes are refused.
         * A warning names each host the first time it is used. @default []
         * @example ["dev.example", "10.1.2.3"]
         */
        insecureHosts: z
          .array(insecureHost)
          .default([])
          .describe('Hosts whose TLS certificates are not checked (a self-signed staging server): names or IPs ("dev.example", "10.1.2.3"), or "*.dev.example" for its subdomains; never "*" or a public suffix. Every other host is checked, whatever NODE_TLS_REJECT_UNAUTHORIZED says; each listed host is named in a warning when first used.'),
      })
      .strict()
      .prefault({})
      .describe('TLS settings: extra CA certificates, and the hosts whose certificates are not checked.'),
    /**
     * The private-network guard: which loopback, private (RFC 1918), link-local (cloud metadata),
     * CGNAT, unique-local, multicast and unspecified addresses may be connected to, checked on the
     * address connected to (after DNS), for pages, redirect hops, robots.txt and sitemaps.
     * "seeds": only the ranges the seeds are in; a list of CIDR ranges: those too; false: none;
     * true: any (the guard is off). @default "seeds"
     * @example ["10.20.0.0/16", "fd00:1::/64"]
     */
    allowPrivateNetworks: z
      .union([z.boolean(), z.literal('seeds'), z.array(cidr)], { error: 'expected "seeds", true, false or a list of CIDR ranges such as ["10.0.0.0/8"]' })
      .default('seeds')
      .describe(
        'Which private-network addresses (loopback, RFC 1918, link-local incl. cloud metadata 169.254.169.254, CGNAT, IPv6 unique-local/link-local, multicast, unspecified) may be connected to: "seeds" (default: only the ranges the seed URLs themselves are on, so local crawls work), a list of CIDR ranges (those too, e.g. ["10.20.0.0/16"]), false (none, seeds included) or true (any: guard off). Checked on the address actually connected to, after DNS, for pages, redirects, robots.txt and sitemaps; refused URLs are recorded with reason blocked-address.',
      ),
  })
  .strict();

export const politenessSchema = z
  .object({
    /** Obey robots.txt. @default true */
    respectRobots: z.boolean().default(true).describe('Obey robots.txt (RFC 9309). Turn off only for sites you own.'),
    /** Minimum delay between requests to one host, in ms; a host with a delay gets one request at a time. @default 0 */
    delayMs: nonNegativeInt.default(0).describe('Minimum delay between two requests to the same host (ms). The robots Crawl-delay raises it. A host with a delay gets one request at a time, the next one starting the delay after the previous one ended.'),
    /** Random extra delay up to this fraction of the delay. @default 0 */
    jitter: z.number().min(0).max(1).default(0).describe('Random extra delay, as a fraction (0..1) of the host delay.'),
    /** Crawl-delay values above this are clamped (a clamp is logged once per host). @default 30000 */
    maxCrawlDelayMs: nonNegativeInt.default(30_000).describe('Cap on robots.txt Crawl-delay (ms).'),
    /** Cap on every backoff wait (exponential backoff after failures, and an honoured Retry-After). @default 300000 */
    maxBackoffMs: positiveInt.default(300_000).describe('Cap on exponential backoff after failures, and on an honoured Retry-After (ms).'),
    /**
     * Longest Retry-After (seconds or HTTP-date) honoured. Rules:
     * - longer: that URL fails at once with reason `retry-after-too-long`; it is not retried and
     *   its host is not paused beyond this (a 429/503 backs the host off as if it had sent no
     *   Retry-After: exponentially over its consecutive failures, at most this long);
     * - shorter or equal: honoured for that URL (retried no earlier), and on 429/503 the whole
     *   host waits that long, as it does for a 429/503 without one (exponential backoff);
     * - a host answering 429/503 to everything is given up after `hostMaxFailures`.
     * @default 60000
     */
    maxRetryAfterMs: nonNegativeInt
      .default(60_000)
      .describe(
        'Longest Retry-After honoured (ms). A longer one (seconds or HTTP-date) fails that URL at once as retry-after-too-long: no retry, and no host pause beyond this (a 429/503 still backs its host off exponentially, at most this long). A shorter one is honoured: the URL is retried no earlier, and on 429/503 the whole host waits. A host answering 429/503 to everything is given up after hostMaxFailures.',
      ),
    /** Consecutive failures after which a host is given up. @default 10 */
    hostMaxFailures: positiveInt.default(10).describe('Consecutive failures after which a host is given up.'),
    /** How long a fetched robots.txt is trusted. @default 3600000 */
    robotsCacheMs: positiveInt.default(3_600_000).describe('How long a fetched robots.txt stays valid (ms).'),
    /** Memory for cached robots.txt rules; least recently used hosts are evicted (and fetched again when met). @default 32 */
    robotsCacheMb: positiveInt.default(32).describe('Memory budget of the robots.txt cache (MiB, estimated); the least recently used hosts are evicted and their robots.txt fetched again when needed.'),
    /** Seed from sitemaps (robots Sitemap: lines and /sitemap.xml). @default true */
    sitemaps: z.boolean().default(true).describe('Use sitemaps (robots.txt Sitemap: lines and /sitemap.xml) as extra seeds.'),
    /** Respect meta robots / X-Robots-Tag noindex and nofollow. @default true */
    respectMetaRobots: z.boolean().default(true).describe('Respect <meta name="robots"> and X-Robots-Tag (noindex, nofollow).'),
    /** Skip links marked rel=nofollow. @default true */
    respectNofollow: z.boolean().default(true).describe('Do not follow links marked rel="nofollow".'),
  })
  .strict();

export const parserSchema = z
  .object({
    /** Where HTML is parsed: worker processes, worker threads, or the main thread. @default "process" */
    mode: z.enum(['process', 'thread', 'inline']).default('process').describe('Where HTML is parsed: process (worker processes, default), thread (worker threads) or inline (main thread).'),
    /** Worker count; "auto" = usable cores minus one for the main process, at least 1. @default "auto" */
    workers: z.union([positiveInt.max(64), z.literal('auto')]).default('auto').describe('Parser workers, or "auto" (usable cores minus one for the main process, at least 1; respects container CPU limits).'),
    /**
     * Parse tasks waiting before fetching pauses (backpressure). 32 measured faster than 64 in the
     * benchmark (a body that waits longer outlives the young generation; docs/performance.md). @default 32
     */
    maxQueue: positiveInt.default(32).describe('Parse tasks queued before fetching pauses (backpressure).'),
    /** A parse task taking longer is killed and retried once. @default 30000 */
    taskTimeoutMs: positiveInt.default(30_000).describe('Per-page parse timeout (ms); the worker is killed and the page retried once.'),
    /** Visible text kept per page, in characters (0 = none). @default 100000 */
    maxTextChars: nonNegativeInt.default(100_000).describe('Characters of visible text kept per page (0 disables text).'),
    /** Heap limit per worker process in MiB. @default 512 */
    workerHeapMb: positiveInt.default(512).describe('Heap limit of each parser worker (MiB).'),
    /** Replace a worker after it parsed this many pages (0 = never). @default 0 */
    recycleAfterPages: nonNegativeInt.default(0).describe('Replace a parser worker after this many pages (0 = never); no task is lost in the handover.'),
    /** Replace a worker whose memory passes this many MiB (0 = never). @default 0 */
    recycleAboveMb: nonNegativeInt.default(0).describe('Replace a parser worker whose memory passes this many MiB (0 = never).'),
  })
  .strict();

export const storeSchema = z
  .object({
    /** Pages per batch written to disk (unflushed pages are the main process's largest live data). @default 200 */
    batchSize: positiveInt.max(100_000).default(200).describe('Pages per write batch (one segment file per batch).'),
    /** A partial batch is written after this long. @default 2000 */
    flushIntervalMs: positiveInt.default(2_000).describe('A partial batch is written after this long (ms).'),
  })
  .strict();

export const frontierSchema = z
  .object({
    /**
     * Memory for the frontier's queues (estimated: ~150 bytes a queued request, ~800 a host with
     * something queued); past it requests wait on disk, in the crawl's `spill/` folder, and come
     * back oldest first. The seen-set is apart (8-23 bytes a URL ever seen). 64 MiB holds ~400,000
     * queued requests on few hosts, or ~70,000 hosts with a request each. @default 64
     */
    memoryBudgetMb: positiveInt
      .default(64)
      .describe('Memory for queued requests (MiB, estimated at ~150 bytes a request and ~800 a host); past it they wait on disk in <crawl>/spill/ and come back oldest first. The seen-set (8-23 bytes a URL) is apart.'),
  })
  .strict();

export const warcSchema = z
  .object({
    /** Directory the WARC files are written to (created if missing); relative to the config file's folder when set in one. */
    dir: z.string().min(1).describe('Directory the WARC files are written to (created if missing). In a config file, a relative path is relative to the file\'s folder.'),
    /** Each record its own gzip member (`.warc.gz`). @default true */
    gzip: z.boolean().default(true).describe('Compress each record as its own gzip member (.warc.gz).'),
    /** gzip level: 1 is fastest (what the throughput figures use), 9 smallest. @default 1 */
    gzipLevel: z.number().int().min(1).max(9).default(1).describe('gzip level, 1 (fastest) to 9 (smallest).'),
    /** A new file is started once a file passes this size. @default 1000 */
    maxFileMb: positiveInt.default(1000).describe('A new WARC file is started once one passes this size (MiB).'),
    /** File names start with this. @default the crawl name */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected letters, digits, ".", "_" or "-" (max 100)')
      .optional()
      .describe('File names start with this (default: the crawl name): <prefix>-<timestamp>-<serial>[-<node>].warc.gz.'),
    /** A metadata record with each page's outlinks. @default true */
    metadata: z.boolean().default(true).describe('Write a metadata record with each page\'s outlinks.'),
  })
  .strict();

export const outputSchema = z
  .object({
    /** Archive every HTTP exchange as WARC/1.1 (docs/warc.md). Absent: no WARC. */
    warc: warcSchema.optional().describe('Archive every HTTP exchange (robots.txt, sitemaps and redirect hops included) as WARC/1.1 files (docs/warc.md).'),
  })
  .strict();

export const crawlConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** Crawl name; data goes to <dataDir>/<name>/. Derived from the first seed's host when absent. */
    name: z
      .string()
      .regex(CRAWL_NAME_PATTERN, CRAWL_NAME_RULE)
      .optional()
      .describe('Crawl name; data goes to <dataDir>/<name>/. Derived from the first seed host when absent.'),
    /** Start URLs. */
    seeds: z.array(httpUrl).default([]).describe('Start URLs (http or https).'),
    /** Where crawls are stored; relative to the config file's folder when set in one. @default "data" */
    dataDir: z.string().min(1).default(DEFAULT_DATA_DIR).describe('Directory where crawls are stored. In a config file, a relative path is relative to the file\'s folder.'),
    scope: scopeSchema.prefault({}),
    frontier: frontierSchema.prefault({}),
    fetch: fetchSchema.prefault({}),
    politeness: politenessSchema.prefault({}),
    parser: parserSchema.prefault({}),
    store: storeSchema.prefault({}),
    output: outputSchema.prefault({}),
    extract: extractSchema.prefault({}),
  })
  .strict();

export type CrawlConfig = z.output<typeof crawlConfigSchema>;
export type CrawlConfigInput = z.input<typeof crawlConfigSchema>;
