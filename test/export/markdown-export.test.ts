/**
 * A user's path through the built CLI: crawl a small site of realistic pages
 * (the quality fixtures, served by a local node:http server) with
 * `--markdown` through the real worker-process pool, then export it as
 * Markdown files, as llms.txt, as JSONL with the markdown field and as
 * retrieval chunks.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { startFetchServer, type FetchTestServer } from '../helpers/fetch-server.js';
import { runCli } from '../helpers/run-cli.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/content');
const PAGES = ['01-docs-retries', '05-blog-personal', '17-readme'];
const html = (body: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
};

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), path)));
    else out.push(path);
  }
  return out.sort();
}

describe('Markdown exports of a crawl', () => {
  const newDir = tempDirs('skein-md-export-');
  let server: FetchTestServer;
  let dataDir: string;
  let host: string;

  before(async () => {
    const links = PAGES.map((name) => `<li><a href="/docs/${name}">${name}</a></li>`).join('');
    const home = `<html><head><title>Fixture site</title><meta name="description" content="Pages for the export test."></head><body><main><h1>Fixture site</h1><p>Every page of this site is a realistic fixture of the content quality suite, linked from here.</p><ul>${links}</ul><p><a href="/list?page=1">Page one</a> <a href="/list?page=2">Page two</a> <a href="/data.json">Data</a></p></main></body></html>`;
    const list = (n: number) => html(`<html><head><title>List ${n}</title></head><body><article><h1>List page ${n}</h1><p>${'Listing text that is long enough to be the main content of this page. '.repeat(3)}</p></article></body></html>`);
    server = await startFetchServer({
      '/': html(home),
      ...Object.fromEntries(PAGES.map((name) => [`/docs/${name}`, html(readFileSync(join(FIXTURES, `${name}.html`), 'utf8'))])),
      '/list': (req, res) => list(req.url?.endsWith('2') ? 2 : 1)(req, res),
      '/data.json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"not":"html"}');
      },
    });
    host = new URL(server.origin).host.replace(':', '_');
    dataDir = await newDir();
    const crawl = await runCli(['crawl', `${server.origin}/`, '--markdown', '--name', 'site', '--data-dir', dataDir, '-q'], { timeoutMs: 60_000 });
    assert.equal(crawl.code, 0, crawl.stderr);
  });
  after(() => server.close());

  test('--format markdown writes one file per page, named after its URL, with front matter', async () => {
    const out = join(await newDir(), 'md');
    const result = await runCli(['export', 'site', '--data-dir', dataDir, '--format', 'markdown', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^6 pages written to .* \(\d+ records without Markdown left out: failed, skipped or not HTML\)/m);
    const files = await listFiles(out);
    assert.deepEqual(files.map((f) => f.replace(/_q-[0-9a-f]{8}/, '_q-HASH')), [
      `${host}/docs/01-docs-retries.md`,
      `${host}/docs/05-blog-personal.md`,
      `${host}/docs/17-readme.md`,
      `${host}/index.md`,
      `${host}/list_q-HASH.md`,
      `${host}/list_q-HASH.md`,
    ]);
    const retries = await readFile(join(out, host, 'docs/01-docs-retries.md'), 'utf8');
    assert.match(retries, new RegExp(`^---\\nurl: "${server.origin}/docs/01-docs-retries"\\ntitle: "Configuring retries – Acme HTTP Client docs"\\nfetchedAt: "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z"\\nlang: "en"\\n---\\n\\n# Configuring retries\\n`));
    assert.ok(retries.includes('| 429 | Too Many Requests | yes, after `Retry-After` |'));
    assert.ok(retries.includes('```js\nimport { createClient } from \'acme-http\';'));
    assert.ok(retries.includes(`[Timeouts](${server.origin}/docs/timeouts)`), 'links absolute against the crawled URL');
    assert.ok(!retries.includes('We use cookies'));
  });

  test('a non-empty --out is refused with exit 2 and nothing written; --out is required', async () => {
    const out = await newDir();
    await writeFile(join(out, 'keep.txt'), 'mine');
    const refused = await runCli(['export', 'site', '--data-dir', dataDir, '--format', 'markdown', '--out', out]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /out: ".*" exists and is not empty/);
    assert.deepEqual(await readdir(out), ['keep.txt']);
    const missing = await runCli(['export', 'site', '--data-dir', dataDir, '--format', 'llms-txt']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /give a directory with --out DIR/);
  });

  test('--format llms-txt writes an index by section and the full Markdown', async () => {
    const out = join(await newDir(), 'llms');
    await mkdir(out);
    const result = await runCli(['export', 'site', '--data-dir', dataDir, '--format', 'llms-txt', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const index = await readFile(join(out, 'llms.txt'), 'utf8');
    const lines = index.split('\n');
    assert.deepEqual(lines.slice(0, 4), ['# Fixture site', '', '> Pages for the export test.', '']);
    assert.ok(index.includes(`## Docs\n\n- [Configuring retries – Acme HTTP Client docs](${server.origin}/docs/01-docs-retries)\n`), index);
    assert.ok(index.includes(`- [Why I moved my side project to SQLite · Maya Chen](${server.origin}/docs/05-blog-personal): Two years on Postgres, one weekend of migration, and what I learned.`));
    assert.match(index, /## Home\n\n- \[Fixture site\]\(http:\/\/127\.0\.0\.1:\d+\/\): Pages for the export test\.\n/);
    // The list pages in crawl order: whichever of the two was stored first (they are fetched concurrently).
    const home = index.slice(index.indexOf('## Home'), index.indexOf('## Docs'));
    assert.ok(home.includes(`- [List 1](${server.origin}/list?page=1)\n`) && home.includes(`- [List 2](${server.origin}/list?page=2)\n`), home);
    const full = await readFile(join(out, 'llms-full.txt'), 'utf8');
    assert.ok(full.includes(`# Configuring retries\n\nSource: ${server.origin}/docs/01-docs-retries\n\nThe client retries failed requests automatically.`));
    assert.equal(full.match(/^Source: /gm)?.length, 6);
  });

  test('JSONL carries the markdown field; --chunk-chars writes chunks with their heading path', async () => {
    const jsonl = await runCli(['export', 'site', '--data-dir', dataDir, '--fields', 'url,markdown']);
    const records = jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line) as { url: string; markdown?: string });
    assert.equal(records.find((r) => r.url.endsWith('/docs/17-readme'))?.markdown?.split('\n')[0], '# tinyq');
    const chunked = await runCli(['export', 'site', '--data-dir', dataDir, '--chunk-chars', '400', '--chunk-overlap', '40']);
    assert.equal(chunked.code, 0, chunked.stderr);
    const chunks = chunked.stdout.trim().split('\n').map((line) => JSON.parse(line) as { url: string; title: string; chunk: number; chunks: number; headings: string[]; markdown: string });
    const retries = chunks.filter((c) => c.url.endsWith('/docs/01-docs-retries'));
    assert.ok(retries.length > 3);
    assert.deepEqual(retries.map((c) => c.chunk), retries.map((_, i) => i));
    for (const chunk of chunks) assert.ok(chunk.markdown.length <= 400, `${chunk.markdown.length} chars`);
    assert.ok(retries.some((c) => c.headings.join(' > ') === 'Configuring retries > Changing the limit > Backoff'));
    assert.equal(retries[0]!.title, 'Configuring retries – Acme HTTP Client docs');
    const bad = await runCli(['export', 'site', '--data-dir', dataDir, '--chunk-chars', '400', '--chunk-overlap', '300']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /chunk-overlap: expected at most half of --chunk-chars/);
  });

  test('a crawl without --markdown cannot be exported as Markdown: exit 2, nothing written', async () => {
    const plainDir = await newDir();
    const crawl = await runCli(['crawl', `${server.origin}/`, '--name', 'plain', '--data-dir', plainDir, '--max-pages', '2', '-q']);
    assert.equal(crawl.code, 0, crawl.stderr);
    const out = join(await newDir(), 'md');
    const result = await runCli(['export', 'plain', '--data-dir', plainDir, '--format', 'markdown', '--out', out]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no page of crawl "plain" has Markdown .* crawl with --markdown/);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });
});
