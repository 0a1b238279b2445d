/**
 * Crawling a synthetic broad web: the crawl config (scope `any` from the
 * web's seeds, depth and page limits out of the way), reading back what a
 * crawl stored, and one whole run in this process (server, truth, crawl,
 * check; the server in a child process) for tests. `runBroadCrawlIsolated` runs that in a child process in
 * a private network namespace (`unshare -n`, as root), or binding every host
 * address when that is not possible.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../../../src/config/load-config.js';
import type { CrawlConfig, CrawlConfigInput } from '../../../src/config/schema.js';
import type { CrawlSummary } from '../../../src/core/events.js';
import { crawlPaths } from '../../../src/store/crawl-dir.js';
import { LowdbPageStore } from '../../../src/store/lowdb-page-store.js';
import { BroadWeb, type BroadWebOptions, type BroadWebPorts } from './broad-web.js';
import { checkBroadCrawl, type BroadCrawlCheck, type StoredOutcome } from './broad-web-check.js';
import type { BroadWebServerOptions } from './broad-web-server.js';
import { startBroadWebServerProcess } from './broad-web-server-process.js';
import { broadWebTruth } from './broad-web-truth.js';
import { runCrawl } from '../crawl-helpers.js';
import type { BroadKillResumeOptions, BroadKillResumeResult } from './broad-kill-resume-child.js';

/** The config of a broad crawl of `web`: scope any, no depth or page limit in the way. */
export function broadCrawlConfig(web: BroadWeb, ports: BroadWebPorts, dataDir: string, input: CrawlConfigInput = {}): CrawlConfig {
  return validateConfig({
    ...input,
    name: input.name ?? 'broad',
    dataDir,
    seeds: web.seedUrls(ports),
    scope: { mode: 'any', maxDepth: 1000, maxPages: 10_000_000, ...input.scope },
  });
}

/** Key, outcome, reason and status of every stored record. */
export async function readOutcomes(dataDir: string, name: string): Promise<StoredOutcome[]> {
  const store = await LowdbPageStore.open(crawlPaths(dataDir, name).pages);
  const out: StoredOutcome[] = [];
  for await (const record of store.iterate()) {
    out.push({ key: record.key, outcome: record.outcome, ...(record.reason ? { reason: record.reason } : {}), ...(record.status !== undefined ? { status: record.status } : {}) });
  }
  await store.close();
  return out;
}

export interface BroadCrawlRunOptions {
  web: BroadWebOptions;
  dataDir: string;
  config?: CrawlConfigInput;
  bind?: BroadWebServerOptions['bind'];
  /** @default 0 */
  gapToleranceMs?: number;
}

export interface BroadCrawlRunResult {
  check: BroadCrawlCheck;
  summary: CrawlSummary;
  wallMs: number;
  lowerBoundMs: number;
  truthCounts: Record<string, number>;
  reachableHosts: number;
  gaveUpHosts: number;
}

/** Serves the web from a child process, crawls it to the end in this one and checks the crawl. */
export async function runBroadCrawlHere(options: BroadCrawlRunOptions): Promise<BroadCrawlRunResult> {
  const web = new BroadWeb(options.web);
  const server = await startBroadWebServerProcess(options.web, { bind: options.bind ?? 'any' });
  try {
    const config = broadCrawlConfig(web, server.ports, options.dataDir, options.config);
    const truth = broadWebTruth(web, { ports: server.ports, maxRepeatedSegments: config.scope.maxRepeatedSegments, perHostParallelism: config.fetch.perHostParallelism });
    let gaveUpHosts = 0;
    const { summary, records, wallMs } = await runCrawl(config, (events) => events.on('host:gave-up', () => gaveUpHosts++));
    const check = checkBroadCrawl({
      web,
      truth,
      server: await server.report(),
      records: records.values(),
      perHostParallelism: config.fetch.perHostParallelism,
      gapToleranceMs: options.gapToleranceMs ?? 0,
    });
    return { check, summary, wallMs: Math.round(wallMs), lowerBoundMs: truth.lowerBoundMs, truthCounts: truth.counts, reachableHosts: truth.reachableHosts, gaveUpHosts };
  } finally {
    await server.close();
  }
}

/** Whether this process may make a private network namespace and bring its loopback up (root, `unshare`, `ip`). */
export function canUseNetworkNamespace(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `runBroadCrawlHere` in a child process: inside a fresh network
 * namespace (`unshare -n`, loopback brought up, server bound to 0.0.0.0)
 * when running as root on Linux, else in the host's namespace with one
 * listening socket per host address.
 */
export function runBroadCrawlIsolated(options: Omit<BroadCrawlRunOptions, 'bind'>, timeoutMs = 110_000): Promise<BroadCrawlRunResult> {
  return runIsolated('./broad-crawl-child.js', (bind) => ({ ...options, bind }), timeoutMs);
}

/**
 * Crawls a broad web with the skein CLI, SIGKILLs it `kills` times and resumes
 * it to the end (broad-kill-resume-child.ts), isolated as `runBroadCrawlIsolated`.
 */
export function runBroadKillResumeIsolated(options: Omit<BroadKillResumeOptions, 'bind'>, timeoutMs = 110_000): Promise<BroadKillResumeResult> {
  return runIsolated('./broad-kill-resume-child.js', (bind) => ({ ...options, bind }), timeoutMs);
}

/** Runs a child entry (next to this file) with its options as JSON in argv[2], and parses the JSON it prints. */
function runIsolated<T>(entry: string, options: (bind: BroadWebServerOptions['bind']) => unknown, timeoutMs: number): Promise<T> {
  const child = fileURLToPath(new URL(entry, import.meta.url));
  const namespace = canUseNetworkNamespace();
  const args = JSON.stringify(options(namespace ? 'any' : 'each'));
  const [command, argv] = namespace
    ? ['unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, child, args]]
    : [process.execPath, [child, args]];
  return new Promise((resolve, reject) => {
    const running = spawn(command, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    running.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    running.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
    running.on('error', reject);
    running.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`broad crawl child exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`broad crawl child printed no result: ${stdout.slice(-500)} ${stderr.slice(-2000)}`));
      }
    });
  });
}
