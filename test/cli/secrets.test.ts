/**
 * Secrets in a config are sent where they belong and never stored or printed:
 * a crawl with a secret header for every host and a per-host Authorization
 * from an environment variable is recorded (fixture), exported in every
 * format, shown by `skein status`; every file it wrote and everything it
 * printed is then searched for the secrets. A resume needs them again (the
 * same --config), and an unset variable is a config error (exit 2).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

const KEY_SECRET = 'key-S3CRET-one';
const TOKEN_SECRET = 'tok-S3CRET-two';

/** Every file below `dir`, recursively. */
async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(path)));
    else out.push(path);
  }
  return out;
}

describe('secrets in the config (built CLI)', () => {
  const newDir = tempDirs();
  let server: http.Server;
  let origin: string;
  const seen: { path: string; apiKey?: string; authorization?: string }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', ...(req.headers['x-api-key'] ? { apiKey: String(req.headers['x-api-key']) } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      const links = req.url === '/' ? '<a href="/a">a</a><a href="/missing">m</a>' : '';
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/html' }).end(`<html><head><title>t</title></head><body><p>page</p>${links}</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('sent to the server, absent from every file written and everything printed; resume asks for them again', async () => {
    const dir = await newDir();
    const dataDir = join(dir, 'data');
    const config = join(dir, 'crawl-config.json');
    await writeFile(
      config,
      JSON.stringify({
        fetch: {
          headers: { 'X-Api-Key': KEY_SECRET, 'Accept-Language': 'en' },
          hostHeaders: { '127.0.0.1': { Authorization: 'Bearer ${env:SITE_TOKEN}' } },
        },
      }),
    );
    const env = { ...process.env, SITE_TOKEN: TOKEN_SECRET };
    const outputs: (CliResult & { args: string[] })[] = [];
    const run = async (args: string[], expectCode = 0, extraEnv: NodeJS.ProcessEnv = env): Promise<CliResult> => {
      const result = await runCli(args, { env: extraEnv });
      outputs.push({ ...result, args });
      assert.equal(result.code, expectCode, `${args.join(' ')}: ${result.stderr}`);
      return result;
    };

    await run(['crawl', `${origin}/`, '--config', config, '--name', 'site', '--data-dir', dataDir, '--workers', '1', '--markdown', '--record', join(dir, 'site.fixture.json')]);
    assert.ok(seen.length >= 3);
    for (const hit of seen) {
      assert.equal(hit.apiKey, KEY_SECRET, hit.path);
      assert.equal(hit.authorization, `Bearer ${TOKEN_SECRET}`, hit.path);
    }
    await run(['status', 'site', '--data-dir', dataDir]);
    await run(['status', 'site', '--data-dir', dataDir, '--json']);
    for (const format of ['jsonl', 'csv', 'json']) await run(['export', 'site', '--data-dir', dataDir, '--format', format, '--out', join(dir, `export.${format}`)]);
    await run(['export', 'site', '--data-dir', dataDir, '--format', 'markdown', '--out', join(dir, 'markdown')]);
    await run(['crawl', '--replay', join(dir, 'site.fixture.json'), '--data-dir', dataDir, '--workers', '1']);

    // A resume without the secret: refused, naming the field; with the same --config: runs.
    const refused = await run(['crawl', '--resume', 'site', '--data-dir', dataDir], 2);
    assert.match(refused.stderr, /fetch\.headers\.X-Api-Key.*holds "\[redacted\]": secrets are never stored/);
    await run(['crawl', '--resume', 'site', '--config', config, '--data-dir', dataDir, '--workers', '1']);
    // The env reference is stored as it is: a resume without the variable is told which one.
    const unset = await run(['crawl', '--resume', 'site', '--config', config, '--data-dir', dataDir], 2, { ...process.env, SITE_TOKEN: undefined });
    assert.match(unset.stderr, /fetch\.hostHeaders\.127\.0\.0\.1\.Authorization.*environment variable SITE_TOKEN/);

    const stored = JSON.parse(await readFile(join(dataDir, 'site', 'crawl.json'), 'utf8')) as { config: { fetch: { headers: Record<string, string>; hostHeaders: Record<string, Record<string, string>> } } };
    assert.deepEqual(stored.config.fetch.headers, { 'X-Api-Key': '[redacted]', 'Accept-Language': 'en' });
    assert.deepEqual(stored.config.fetch.hostHeaders, { '127.0.0.1': { Authorization: 'Bearer ${env:SITE_TOKEN}' } });

    const files = (await filesBelow(dir)).filter((file) => file !== config);
    assert.ok(files.length > 10, `files written: ${files.join(', ')}`);
    for (const file of files) {
      if ((await stat(file)).size === 0) continue;
      const text = await readFile(file, 'latin1');
      for (const secret of [KEY_SECRET, TOKEN_SECRET]) assert.ok(!text.includes(secret), `${secret} in ${file}`);
    }
    for (const { stdout, stderr, args } of outputs) {
      for (const secret of [KEY_SECRET, TOKEN_SECRET]) assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `${secret} printed by skein ${args.join(' ')}:\n${stdout}\n${stderr}`);
    }
  });
});
