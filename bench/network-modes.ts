/**
 * What proxies and the cookie jar cost: the benchmark site crawled directly,
 * through an HTTP (CONNECT) proxy, through a SOCKS5 proxy and with
 * `fetch.cookies`, in alternating rounds in one run
 * (A/B/C/D, A/B/C/D, …: the machine's load drifts alike for all), each crawl
 * in its own child process (`runCrawlBenchInChild`). The proxies run in this
 * process, so their CPU is not counted as the crawler's. Prints the median
 * pages/s of each mode and its ratio to the direct crawl.
 *
 *   npm run build && node dist/bench/network-modes.js [--pages 2000] [--rounds 3]
 *
 * A measurement, not a test: numbers vary with the machine and its load.
 */
import os from 'node:os';
import { runCrawlBenchInChild } from '../src/bench/crawl-bench.js';
import { startSiteServerProcess } from '../src/bench/site-server-process.js';
import { startHttpProxy, startSocks5Proxy } from '../test/helpers/test-proxies.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const pages = arg('pages', 2000);
const rounds = arg('rounds', 3);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const site = await startSiteServerProcess({ pages });
const http = await startHttpProxy();
const socks = await startSocks5Proxy();
const modes: Record<string, Record<string, unknown>> = {
  direct: {},
  'http proxy': { proxy: http.url },
  'socks5 proxy': { proxy: socks.url },
  cookies: { cookies: true },
};
const results: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const [mode, fetch] of Object.entries(modes)) {
      const result = await runCrawlBenchInChild({ siteUrl: site.url, pages, mode: 'process', config: { fetch } });
      results[mode]!.push(result.pagesPerSecond);
      process.stderr.write(`round ${round + 1} ${mode}: ${result.pagesPerSecond} pages/s\n`);
    }
  }
} finally {
  await http.close();
  await socks.close();
  await site.close();
}
const direct = median(results.direct!);
console.log(`${pages} pages, ${rounds} rounds, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const [mode, values] of Object.entries(results)) {
  const m = median(values);
  console.log(`${mode.padEnd(13)} median ${m.toFixed(0)} pages/s (${values.map((v) => v.toFixed(0)).join(', ')}), ${(m / direct).toFixed(2)}x direct`);
}
