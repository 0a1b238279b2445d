/**
 * Each command loads only what it uses: the CLI as tsc built it (one module
 * a file; the bundle users run is split at the same dynamic imports,
 * scripts/bundle-cli.ts) runs with a resolve
 * hook that records every package each process imports (the main process
 * and its parser workers apart; ESM imports and the packages they reach). An eager import of got, cheerio, ioredis,
 * nock or workerpool where a command does not need it fails here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { runCli, TSC_BIN, type CliResult } from '../helpers/run-cli.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

const REGISTER = pathToFileURL(resolve('dist/test/helpers/import-trace-register.js')).href;

interface Traced {
  result: CliResult;
  /** Packages the skein process itself imported. */
  main: Set<string>;
  /** skein's own modules the skein process imported ("src/cli/main.js"…). */
  own: Set<string>;
  /** Packages each other process (parser workers) imported, by pid. */
  workers: Map<string, Set<string>>;
}

const newDir = tempDirs('skein-imports-');
let traces = 0;

async function traced(args: string[], cwd: string): Promise<Traced> {
  const file = join(cwd, `imports-${traces++}.txt`);
  await writeFile(file, '');
  let pid = '';
  const result = await runCli(args, {
    bin: TSC_BIN,
    cwd,
    env: { NODE_OPTIONS: `--import ${REGISTER}`, IMPORT_TRACE_FILE: file },
    onSpawn: (child) => (pid = String(child.pid)),
  });
  const main = new Set<string>();
  const own = new Set<string>();
  const workers = new Map<string, Set<string>>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const [who, name] = line.split(' ');
    if (!who || !name) continue;
    if (who === pid) (name.startsWith('src/') ? own : main).add(name);
    else workers.set(who, (workers.get(who) ?? new Set()).add(name));
  }
  return { result, main, own, workers };
}

function assertNone(loaded: Set<string>, forbidden: readonly string[], what: string): void {
  const found = forbidden.filter((name) => loaded.has(name));
  assert.deepEqual(found, [], `${what} imported ${found.join(', ')} (all: ${[...loaded].sort().join(' ')})`);
}

const COMMANDS = ['crawl', 'resume', 'export', 'status', 'report', 'check', 'worker', 'demo', 'bench'];
const NOT_FOR_READING = ['got', 'cheerio', 'ioredis', 'nock', 'workerpool', 'htmlparser2', 'p-queue'];
const NOT_IN_WORKERS = ['got', 'zod', 'commander', 'lowdb', 'ioredis', 'nock', 'cheerio'];
/** Modules outside src/cli/ that declaring the commands needs (names, choices, defaults): every other one waits for a command to run. */
/** The parser's own modules (the workers', and an inline pool's on its first page). */
const PARSER_MODULES = ['src/parse/parse-page.js', 'src/parse/scan-document.js', 'src/parse/extract-links.js', 'src/parse/extract-content.js', 'src/parse/decode-body.js'];
/** What only --record and --replay need. */
const RECORD_REPLAY_MODULES = ['src/replay/nock-replay.js', 'src/replay/read-fixture.js', 'src/replay/read-warc-fixture.js', 'src/replay/fixture-writer.js'];
/** What only output.warc needs. */
const WARC_MODULES = ['src/warc/warc-archive.js', 'src/warc/warc-encoder.js', 'src/warc/exchange-records.js'];
const DECLARING = ['src/core/errors.js', 'src/distributed/node-id.js', 'src/export/export-directory.js', 'src/report/problem-kinds.js', 'src/report/format-problems.js'];

describe('what each command imports', () => {
  let server: SiteServer;
  let cwd: string;
  let site: string;
  before(async () => {
    server = await startSiteServer({ site: createGeneratedSite({ pages: 8 }) });
    site = `${server.url}/`;
    cwd = await newDir();
    // A stored crawl to read (not traced).
    const crawl = await runCli(['crawl', site, '--name', 'site', '--data-dir', 'data', '--workers', '1', '-q'], { cwd });
    assert.equal(crawl.code, 0, crawl.stderr);
  });
  after(() => server.close());

  test('--help and every command\'s --help load commander alone, and of skein only what declares the commands', async () => {
    for (const args of [['--help'], ...COMMANDS.map((command) => [command, '--help'])]) {
      const { result, main, own } = await traced(args, cwd);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual([...main], ['commander'], `skein ${args.join(' ')}`);
      const extra = [...own].filter((module) => !module.startsWith('src/cli/') && !DECLARING.includes(module));
      assert.deepEqual(extra, [], `skein ${args.join(' ')} loaded (all: ${[...own].sort().join(' ')})`);
    }
  });

  test('status, export and report load no HTTP client, parser, Redis, nock or worker pool (nor Markdown writers for records)', async () => {
    for (const args of [['status', 'site', '--summary'], ['export', 'site'], ['export', 'site', '--format', 'csv'], ['report', 'site']]) {
      const { result, main, own, workers } = await traced([...args, '--data-dir', 'data'], cwd);
      assert.equal(result.code, 0, result.stderr);
      assertNone(main, NOT_FOR_READING, `skein ${args.join(' ')}`);
      assertNone(own, ['src/export/markdown-files.js', 'src/export/llms-txt.js'], `skein ${args.join(' ')}`);
      assert.equal(workers.size, 0);
    }
  });

  test('a crawl loads no Redis client and no nock (unless replaying), nor the parser, the fixture readers and writer or the WARC writer on its main process; its parser worker no HTTP client, schema, CLI, store, Redis or cheerio', async () => {
    const { result, main, own, workers } = await traced(['crawl', site, '--name', 'plain', '--data-dir', 'data', '--workers', '1', '-q'], cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(main.has('got') && main.has('workerpool'), 'the trace sees the crawl\'s own imports');
    assertNone(main, ['ioredis', 'nock'], 'skein crawl');
    assertNone(own, [...PARSER_MODULES, ...RECORD_REPLAY_MODULES, ...WARC_MODULES], 'skein crawl');
    assert.equal(workers.size, 1, 'one parser worker traced');
    for (const loaded of workers.values()) {
      assert.ok(loaded.has('workerpool') && loaded.has('htmlparser2'));
      assertNone(loaded, NOT_IN_WORKERS, 'the parser worker');
    }
  });

  test('cheerio is imported by the worker when the rules need a DOM; nock only to replay', async () => {
    const recorded = await traced(['crawl', site, '--name', 'recorded', '--data-dir', 'data', '--workers', '1', '--markdown', '--record', 'site.fixture.json', '-q'], cwd);
    assert.equal(recorded.result.code, 0, recorded.result.stderr);
    assertNone(recorded.main, ['ioredis', 'nock'], 'skein crawl --record');
    assert.equal(recorded.workers.size, 1);
    for (const loaded of recorded.workers.values()) {
      assert.ok(loaded.has('cheerio'), 'cheerio for --markdown');
      assertNone(loaded, NOT_IN_WORKERS.filter((name) => name !== 'cheerio'), 'the parser worker');
    }
    const replayed = await traced(['crawl', '--replay', 'site.fixture.json', '--data-dir', 'data', '--workers', '1', '-q'], cwd);
    assert.equal(replayed.result.code, 0, replayed.result.stderr);
    assert.ok(replayed.main.has('nock'), 'nock with --replay');
    assertNone(replayed.main, ['ioredis'], 'skein crawl --replay');
  });
});
