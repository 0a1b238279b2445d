/**
 * The broad-crawl benchmark: a synthetic web of thousands of loopback hosts
 * (test/helpers/broad-web/) served by one process, crawled with scope `any`
 * from 50 seeds by a crawler in its own process, inside a private network
 * namespace (`unshare -n`; re-runs itself there when started as root outside
 * one). Reports, per web size: the check against the ground truth (every
 * reachable URL stored once with the right outcome, no disallowed request,
 * Crawl-delays kept on the server's clock, per-host parallelism, no page
 * fetched twice), wall time against the politeness lower bound, and the peak
 * RSS of the crawler's process tree (main process and parser workers,
 * sampled every 100 ms). Writes bench/results/broad-<date>.json.
 *
 *   node dist/bench/broad-crawl.js [--hosts 2000,20000] [--concurrency 64] [--time-scale 1] [--out bench/results]
 *
 * `--time-scale` multiplies every Crawl-delay and slow host's latency (0.1 for a quick try).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { forkEntry } from '../src/bench/fork-entry.js';
import { describeMachine, machineInfo } from '../src/bench/machine-info.js';
import { ProcessTreeSampler } from '../src/bench/process-tree-sampler.js';
import type { CrawlSummary } from '../src/core/events.js';
import { BroadWeb } from '../test/helpers/broad-web/broad-web.js';
import { broadCrawlConfig, canUseNetworkNamespace, readOutcomes } from '../test/helpers/broad-web/broad-crawl.js';
import { checkBroadCrawl } from '../test/helpers/broad-web/broad-web-check.js';
import { broadCrawlTimeline } from '../test/helpers/broad-web/broad-crawl-timeline.js';
import { startBroadWebServerProcess } from '../test/helpers/broad-web/broad-web-server-process.js';
import { broadWebTruth } from '../test/helpers/broad-web/broad-web-truth.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '2000,20000' },
    concurrency: { type: 'string', default: '64' },
    'time-scale': { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results' },
  },
});

if (!process.env.SKEIN_BROAD_NAMESPACE && canUseNetworkNamespace()) {
  const args = ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const run = spawnSync('unshare', args, { stdio: 'inherit', env: { ...process.env, SKEIN_BROAD_NAMESPACE: '1' } });
  process.exit(run.status ?? 1);
}
const bind = process.env.SKEIN_BROAD_NAMESPACE ? 'any' : 'each';
const machine = machineInfo();
console.log(`skein broad-crawl benchmark: ${values.hosts} hosts; ${describeMachine(machine)}; server bound to ${bind === 'any' ? '0.0.0.0 in a private network namespace' : 'each host address'}`);

const results = [];
for (const hosts of values.hosts.split(',').map(Number)) {
  const webOptions = { hosts, timeScale: Number(values['time-scale']) };
  const web = new BroadWeb(webOptions);
  const server = await startBroadWebServerProcess(webOptions, { bind });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'skein-broad-bench-'));
  try {
    const config = broadCrawlConfig(web, server.ports, dataDir, { fetch: { concurrency: Number(values.concurrency) } });
    const truth = broadWebTruth(web, { ports: server.ports, maxRepeatedSegments: config.scope.maxRepeatedSegments, perHostParallelism: config.fetch.perHostParallelism });
    const traceHost = new URL(web.origin(truth.boundingHost.index, server.ports)).host;
    const { child, exited } = await forkEntry<{ type: string }>('broad-bench-crawl-child', { ...config, traceHost }, 30_000, new URL('../test/helpers/broad-web/x.js', import.meta.url).href);
    const sampler = new ProcessTreeSampler({ root: child.pid! });
    const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
    sampler.start();
    type Result = { type: string; summary: CrawlSummary; wallMs: number; startedAtMs: number; trace: Record<string, unknown> };
    const done = new Promise<Result>((resolve, reject) => {
      child.on('message', (message: Result) => message.type === 'result' && resolve(message));
      void exited.then(() => reject(new Error('the crawl child exited without a result')));
    });
    child.send('go');
    const { summary, wallMs, startedAtMs, trace } = await done;
    const usage = sampler.stop();
    await exited;
    const serverReport = await server.report();
    const check = checkBroadCrawl({ web, truth, server: serverReport, records: await readOutcomes(dataDir, config.name!), perHostParallelism: config.fetch.perHostParallelism });
    const peakRssMb = Math.round(usage.peakRssBytes / 2 ** 20);
    const result = {
      hosts,
      reachableHosts: truth.reachableHosts,
      urls: truth.expected.size,
      truthCounts: truth.counts,
      wallMs,
      lowerBoundMs: truth.lowerBoundMs,
      wallVsBound: Math.round((wallMs / truth.lowerBoundMs) * 100) / 100,
      boundingHost: truth.boundingHost,
      peakRssMb,
      peakMainRssMb: Math.round(usage.peakMainRssBytes / 2 ** 20),
      peakWorkersRssMb: Math.round(usage.peakChildRssBytes / 2 ** 20),
      cpuMs: { main: Math.round(usage.mainCpuMs), workers: Math.round(usage.childCpuMs) },
      serverCpuMs: Math.round(server.cpuMs()),
      loadAverage: { before: loadBefore, after: loadavg().map((l) => Math.round(l * 100) / 100) },
      timeline: { ...broadCrawlTimeline(web, truth, serverReport, startedAtMs, startedAtMs + wallMs), ...trace },
      violations: check.violations,
      figures: check.figures,
      summary: { endReason: summary.endReason, pages: summary.pages, pagesPerSecond: summary.pagesPerSecond },
    };
    results.push(result);
    console.log(
      `${hosts} hosts (${truth.reachableHosts} reachable, ${truth.expected.size} URLs): wall ${(wallMs / 1000).toFixed(1)} s = ${result.wallVsBound}× the politeness bound ` +
        `(${(truth.lowerBoundMs / 1000).toFixed(1)} s), peak RSS ${peakRssMb} MiB (main ${result.peakMainRssMb}, workers ${result.peakWorkersRssMb}), ` +
        `min Crawl-delay gap ${check.figures.minGapRatio}× the delay, ${check.violations.length === 0 ? 'no violations' : `VIOLATIONS: ${check.violations.join(' | ')}`}`,
    );
    const known = result.timeline.knownHostBound;
    console.log(`  wall ${(wallMs / 1000 / known.endS).toFixed(2)}× the end the hosts allowed once found (host ${known.index}: first requested at ${known.firstS} s, ${known.requests} requests, Crawl-delay ${known.delayMs} ms: ${known.endS} s)`);
    console.log(`  where the time went: ${JSON.stringify(result.timeline)}`);
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const file = path.join(values.out, `broad-${new Date().toISOString().slice(0, 10)}.json`);
await mkdir(values.out, { recursive: true });
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), machine, concurrency: Number(values.concurrency), results }, null, 2) + '\n');
console.log(`wrote ${file}`);
