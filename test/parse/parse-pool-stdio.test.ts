import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_EXTRACTOR } from '../helpers/parse-pool-helpers.js';

const run = promisify(execFile);

test('worker stdout/stderr never reach the parent terminal (process and thread modes)', async () => {
  // Sources under tsx in development, compiled .js under npm test.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const loader = ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
  const poolUrl = new URL(`../../src/parse/parse-pool${ext}`, import.meta.url).href;
  const rulesUrl = new URL(`../helpers/parse-rules${ext}`, import.meta.url).href;
  const script = `
    const { createParsePool } = await import(${JSON.stringify(poolUrl)});
    const { testRules } = await import(${JSON.stringify(rulesUrl)});
    for (const mode of ['process', 'thread']) {
      const pool = createParsePool({ mode, workers: 1, rules: testRules({ extract: { module: ${JSON.stringify(TEST_EXTRACTOR)} } }),
        taskTimeoutMs: 20000, workerHeapMb: 128, maxQueue: 2 });
      const page = await pool.parse({ url: 'https://example.com/noisy', depth: 0, status: 200, body: new TextEncoder().encode('<h1>x</h1>') });
      await pool.close();
      process.stdout.write(mode + ':' + page.fields.h1Count + '\\n');
    }`;
  const { stdout, stderr } = await run(process.execPath, [...loader, '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 60_000 });
  assert.equal(stdout, 'process:1\nthread:1\n');
  assert.doesNotMatch(stderr, /NOISE/);
});
