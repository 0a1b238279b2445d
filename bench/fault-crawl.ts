/**
 * The fault-server crawl with default settings: serves test/helpers/fault-server.ts on
 * 127.0.0.1 and crawls it with every option at its default (only the data directory and the
 * crawl name are set), then prints the wall time, the records by outcome and reason, the
 * longest host backoff decided, and the slowest route: the longest time from a route's first
 * request to its last answer. The README's "Reliability" figure.
 *
 *   npm run build && node dist/bench/fault-crawl.js [--runs 1]
 *
 * It takes a few minutes: the defaults give a silent server 20 s for headers and a trickling
 * one 60 s a request, each tried 3 times.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { validateConfig } from '../src/config/load-config.js';
import { runCrawl, tempDataDir } from '../test/helpers/crawl-helpers.js';
import { startFaultServer } from '../test/helpers/fault-server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' } } });

for (let run = 1; run <= Number(values.runs); run++) {
  const server = await startFaultServer();
  const data = await tempDataDir();
  const backoffsMs: number[] = [];
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  try {
    const config = validateConfig({ name: 'faults', dataDir: data.dir, seeds: [server.url + '/'] });
    const { summary, records, wallMs } = await runCrawl(config, (events) => {
      events.on('host:backoff', (e) => backoffsMs.push(e.untilMs - Date.now()));
      events.on('page:stored', ({ record }) => last.set(record.url, Date.now()));
    });
    for (const { path, atMs } of server.log) if (!first.has(server.url + path)) first.set(server.url + path, atMs);
    const spans = [...last].map(([url, endMs]) => ({ url, ms: endMs - (first.get(url) ?? endMs) })).sort((a, b) => b.ms - a.ms);
    const byReason = new Map<string, number>();
    for (const r of records.values()) byReason.set(`${r.outcome}${r.reason ? ` ${r.reason}` : ''}`, (byReason.get(`${r.outcome}${r.reason ? ` ${r.reason}` : ''}`) ?? 0) + 1);
    console.log(`run ${run}: ${(wallMs / 1000).toFixed(1)} s (${summary.endReason}), ${records.size} records, ${server.log.length} requests, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`  slowest routes: ${spans.slice(0, 3).map((s) => `${s.url.slice(server.url.length)} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}`);
    console.log(`  longest host backoff: ${((backoffsMs.length ? Math.max(...backoffsMs) : 0) / 1000).toFixed(1)} s`);
    console.log(`  records: ${[...byReason].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
  } finally {
    await server.close();
    await data.cleanup();
  }
}
