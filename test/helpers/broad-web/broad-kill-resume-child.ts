/**
 * Child process entry of `runBroadKillResume` (inside a private network
 * namespace when possible, like `runBroadCrawlIsolated`): serves a broad web,
 * crawls it with the skein CLI as a user would (`crawl --config`), SIGKILLs
 * the crawl `kills` times, each once a few more page segments are on disk,
 * resumes it to the end with `skein resume`, and prints the check of what
 * was stored against the web's ground truth as JSON on stdout.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlConfigInput } from '../../../src/config/schema.js';
import { validateConfig } from '../../../src/config/load-config.js';
import { KILL_TEST_ENV, runCliAndKill } from '../resume-cli.js';
import { segmentNames } from '../resume-state.js';
import { runCli } from '../run-cli.js';
import { readOutcomes } from './broad-crawl.js';
import { BroadWeb, type BroadWebOptions } from './broad-web.js';
import { checkBroadCrawl, type BroadCrawlCheck } from './broad-web-check.js';
import type { BroadWebServerOptions } from './broad-web-server.js';
import { startBroadWebServerProcess } from './broad-web-server-process.js';
import { broadWebTruth } from './broad-web-truth.js';

export interface BroadKillResumeOptions {
  web: BroadWebOptions;
  dataDir: string;
  config: CrawlConfigInput;
  kills: number;
  /** New page segments on disk before each kill. */
  segmentsPerRound: number;
  bind: BroadWebServerOptions['bind'];
}

export interface BroadKillResumeResult {
  check: BroadCrawlCheck;
  /** Whether each round was really killed (false: it ended first). */
  killed: boolean[];
  /** Exit code of the last resume. */
  finalCode: number | null;
  /** The ground truth's URLs by expected outcome. */
  truthCounts: Record<string, number>;
  /** Pages the server answered more than once (those in flight or not yet stored at a kill), and the most times one was. */
  servedAgain: number;
  mostServed: number;
  stderr: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as BroadKillResumeOptions;
const web = new BroadWeb(options.web);
const server = await startBroadWebServerProcess(options.web, { bind: options.bind });
try {
  const name = 'broad';
  const input: CrawlConfigInput = {
    ...options.config,
    name,
    dataDir: options.dataDir,
    seeds: web.seedUrls(server.ports),
    scope: { mode: 'any', maxDepth: 1000, maxPages: 10_000_000, ...options.config.scope },
  };
  const config = validateConfig(input);
  const configFile = path.join(options.dataDir, 'broad.json');
  await writeFile(configFile, JSON.stringify(input));
  const pagesDir = path.join(options.dataDir, name, 'pages');
  const killed: boolean[] = [];
  let stderr = '';
  for (let round = 0; round < options.kills; round++) {
    const before = (await segmentNames(pagesDir).catch(() => [])).length;
    const args = round === 0 ? ['crawl', '--config', configFile, '-q'] : ['resume', name, '--data-dir', options.dataDir, '-q'];
    const run = await runCliAndKill(args, async () => (await segmentNames(pagesDir).catch(() => [])).length >= before + options.segmentsPerRound, {
      env: KILL_TEST_ENV,
      pollMs: 20,
      timeoutMs: 600_000,
    });
    killed.push(run.killed);
    stderr += run.stderr;
  }
  const last = await runCli(['resume', name, '--data-dir', options.dataDir, '-q'], { env: KILL_TEST_ENV, timeoutMs: 1_800_000 });
  stderr += last.stderr;
  const truth = broadWebTruth(web, { ports: server.ports, maxRepeatedSegments: config.scope.maxRepeatedSegments, perHostParallelism: config.fetch.perHostParallelism });
  const report = await server.report();
  const check = checkBroadCrawl({
    web,
    truth,
    // Pages in flight, or fetched and not yet stored, at a kill are fetched again on resume: counted apart.
    server: { ...report, servedTwice: {} },
    records: await readOutcomes(options.dataDir, name),
    perHostParallelism: config.fetch.perHostParallelism,
  });
  const times = Object.values(report.servedTwice);
  const result: BroadKillResumeResult = {
    check,
    killed,
    finalCode: last.code,
    truthCounts: truth.counts,
    servedAgain: times.length,
    mostServed: Math.max(1, ...times),
    stderr: stderr.slice(-2000),
  };
  process.stdout.write(JSON.stringify(result));
} finally {
  await server.close();
}
