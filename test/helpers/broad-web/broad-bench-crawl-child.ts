/**
 * Child-process entry of the broad-crawl benchmark: runs one crawl (its
 * validated config as JSON in argv[2], with an optional `traceHost`) so that
 * the parent can sample this process tree alone (crawler and parser workers,
 * no server, no truth), and sends `{ summary, wallMs, startedAtMs, trace }`
 * back over IPC. `trace`: this process's event-loop delay, and for
 * `traceHost` (the host that sets the politeness bound) the median time a
 * request took from its send to its response, and from the previous response
 * to its send (the host's delay plus how late its turn was taken).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { CrawlConfig } from '../../../src/config/schema.js';
import { createCrawler } from '../../../src/index.js';
import { applyCrawlHeapPolicy } from '../../../src/core/heap-policy.js';

const { traceHost, ...config } = JSON.parse(process.argv[2] ?? '{}') as CrawlConfig & { traceHost?: string };
process.on('disconnect', () => process.exit(1));
process.send?.({ type: 'ready' });
await new Promise((resolve) => process.once('message', resolve));
applyCrawlHeapPolicy(); // the crawl's heap as the CLI runs it
const handle = await createCrawler(config as CrawlConfig);
const sends: number[] = [];
const responses: number[] = [];
const ofHost = (url: string): boolean => traceHost !== undefined && new URL(url).host === traceHost;
handle.events.on('request:started', ({ request }) => ofHost(request.url) && sends.push(performance.now()));
handle.events.on('response:received', ({ request }) => ofHost(request.url) && responses.push(performance.now()));
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const started = performance.now();
try {
  const summary = await handle.run();
  loopDelay.disable();
  const fetchMs = sends.slice(0, responses.length).map((sent, i) => responses[i]! - sent);
  const turnMs = sends.slice(1, responses.length).map((sent, i) => sent - responses[i]!);
  const trace = {
    loopDelayMs: { mean: Math.round(loopDelay.mean / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
    ...(traceHost ? { traceHost: { requests: sends.length, medianFetchMs: median(fetchMs), medianTurnMs: median(turnMs) } } : {}),
  };
  const result = { type: 'result', summary, wallMs: Math.round(performance.now() - started), startedAtMs: Math.round(performance.timeOrigin + started), trace };
  await new Promise((resolve) => process.send?.(result, resolve));
} finally {
  await handle.close();
}
// The IPC channel would keep this process alive: the crawl is over.
process.exit(0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : Math.round(sorted[Math.floor(sorted.length / 2)]!);
}
