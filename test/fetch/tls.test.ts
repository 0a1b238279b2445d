/**
 * TLS (fetch.tls): HTTPS sites on loopback whose certificates come from a CA
 * made for the test, or are self-signed. Without config a crawl records them
 * as `tls` failures with the OpenSSL code; `fetch.tls.ca` trusts the CA (added
 * to the built-in roots); `fetch.tls.insecureHosts` skips the check for the
 * hosts it lists and no other, with a warning naming the host once. A CA file
 * that is missing or not PEM is a config error naming the field (exit 2).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestCa, startHttpsSite, type TestCa, type TestHttpsSite } from '../helpers/test-ca.js';
import { validateConfig } from '../../src/config/load-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import type { CrawlEventBus } from '../../src/core/events.js';

const page = (title: string, links: string[] = []): string => `<html><head><title>${title}</title></head><body>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}</body></html>`;

describe('TLS', () => {
  const newDir = tempDirs();
  let ca: TestCa;
  /** Certificate signed by the test CA, on 127.0.0.1. */
  let signed: TestHttpsSite;
  /** Self-signed certificates: on 127.0.0.2 (listed as insecure in a test) and 127.0.0.3 (never listed). */
  let selfA: TestHttpsSite;
  let selfB: TestHttpsSite;
  before(async () => {
    ca = await createTestCa();
    selfB = await startHttpsSite(await ca.selfSigned(['127.0.0.3']), { '/': page('b home', ['/b1']), '/b1': page('b1') }, '127.0.0.3');
    selfA = await startHttpsSite(await ca.selfSigned(['127.0.0.2']), { '/': page('a home', ['/a1', `${selfB.url}/`]), '/a1': page('a1') }, '127.0.0.2');
    signed = await startHttpsSite(await ca.serverCert(['127.0.0.1']), { '/': page('home', ['/one']), '/one': page('one') });
  });
  after(async () => {
    await Promise.all([signed.close(), selfA.close(), selfB.close()]);
    await ca.remove();
  });

  const warningsOf = (lines: string[]) => (events: CrawlEventBus) => events.on('log', (e) => void (e.level === 'warn' && lines.push(e.message)));

  test('without fetch.tls.ca a site signed by an unknown CA fails with reason tls and the OpenSSL code, not retried', async () => {
    const before = signed.log.length;
    const { records } = await runCrawl(testConfig(await newDir(), { name: 'no-ca', seeds: [`${signed.url}/`], fetch: { retries: 2 }, politeness: { respectRobots: false } }));
    const home = records.get(`${signed.url}/`);
    assert.equal(home?.outcome, 'failed');
    assert.equal(home?.reason, 'tls');
    assert.equal(home?.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(home?.error?.message ?? '', /^TLS: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); trust its CA with fetch\.tls\.ca/);
    assert.equal(signed.log.length, before, 'no request got through the handshake');
  });

  test('robots.txt on a failing TLS host: its pages end as tls, at once', async () => {
    const { records, wallMs } = await runCrawl(testConfig(await newDir(), { name: 'no-ca-robots', seeds: [`${signed.url}/`], fetch: { retries: 2 } }));
    const home = records.get(`${signed.url}/`);
    assert.equal(home?.reason, 'tls');
    assert.equal(home?.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(home?.error?.message ?? '', /^robots\.txt unreachable: TLS: unable to verify the first certificate/);
    assert.ok(wallMs < 4_000, `not retried like an unreachable host (${Math.round(wallMs)} ms)`);
  });

  test('with fetch.tls.ca the same crawl succeeds (robots.txt included), and public roots are still trusted', async () => {
    const { records } = await runCrawl(testConfig(await newDir(), { name: 'with-ca', seeds: [`${signed.url}/`], fetch: { tls: { ca: ca.caFile } } }));
    for (const path of ['/', '/one']) assert.equal(records.get(`${signed.url}${path}`)?.outcome, 'ok', path);
    assert.ok(signed.log.includes('/robots.txt'));
    // Added to the defaults, not replacing them: a self-signed host still fails (it is not the CA's), and caOnly is off.
    assert.equal(validateConfig({ seeds: ['https://x.example/'], fetch: { tls: { ca: ca.caFile } } }).fetch.tls.caOnly, false);
  });

  test('insecureHosts skips the check for the listed host only: its pages are fetched, another self-signed host still fails, one warning', async () => {
    const warnings: string[] = [];
    const config = testConfig(await newDir(), { name: 'insecure', seeds: [`${selfA.url}/`], scope: { mode: 'any' }, fetch: { tls: { insecureHosts: ['127.0.0.2'] } } });
    const { records } = await runCrawl(config, warningsOf(warnings));
    for (const path of ['/', '/a1']) assert.equal(records.get(`${selfA.url}${path}`)?.outcome, 'ok', path);
    const other = records.get(`${selfB.url}/`);
    assert.equal(other?.outcome, 'failed');
    assert.equal(other?.reason, 'tls');
    assert.equal(other?.error?.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(selfB.log.length, 0, 'nothing was sent to the host that is not listed');
    const aboutA = warnings.filter((w) => w.startsWith('127.0.0.2: TLS certificate not checked'));
    assert.equal(aboutA.length, 1, warnings.join('\n'));
    assert.match(aboutA[0]!, /DEPTH_ZERO_SELF_SIGNED_CERT|self-signed/);
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn the checks off', async () => {
    const dataDir = await newDir();
    const result = await runCli(['crawl', `${selfB.url}/`, '--data-dir', dataDir, '--name', 'env-off', '--max-pages', '3', '--ignore-robots'], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    assert.equal(result.code, 4, result.stdout + result.stderr);
    assert.equal(selfB.log.length, 0);
  });

  test('a bad CA file or host pattern is a config error naming the field; the CLI exits 2 and writes nothing', async () => {
    const dir = await newDir();
    const notPem = join(dir, 'not.pem');
    await writeFile(notPem, 'hello\n');
    const broken = join(dir, 'broken.pem');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const cases: [unknown, RegExp][] = [
      [join(dir, 'missing.pem'), /^fetch\.tls\.ca: cannot read the CA bundle ".*missing\.pem": ENOENT/],
      [notPem, /^fetch\.tls\.ca: ".*not\.pem" holds no PEM certificate/],
      [[ca.caFile, broken], /^fetch\.tls\.ca\[1\]: certificate 1 of ".*broken\.pem" is not a valid X\.509 certificate/],
    ];
    for (const [file, message] of cases) {
      await assert.rejects(loadConfig({ flags: { seeds: ['https://x.example/'], 'fetch.tls.ca': file } }), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    }
    for (const host of ['*', '*.com', '*.co.uk', 'a host']) {
      assert.throws(() => validateConfig({ seeds: ['https://x.example/'], fetch: { tls: { insecureHosts: [host] } } }), (error: unknown) => error instanceof ConfigError && error.field === 'fetch.tls.insecureHosts[0]');
    }
    assert.deepEqual(validateConfig({ seeds: ['https://x.example/'], fetch: { tls: { insecureHosts: ['dev.example', '*.dev.example', '10.1.2.3'] } } }).fetch.tls.insecureHosts.length, 3);

    const config = join(dir, 'skein.json');
    await writeFile(config, JSON.stringify({ fetch: { tls: { ca: 'not.pem' } } }));
    const dataDir = join(dir, 'data');
    const result = await runCli(['crawl', `${signed.url}/`, '--config', config, '--data-dir', dataDir]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /fetch\.tls\.ca: ".*\/not\.pem" holds no PEM certificate/, 'relative to the config file');
    assert.equal(existsSync(dataDir), false);
  });

  test('a CA path in a config file is relative to the file', async () => {
    const dir = await newDir();
    const { copyFile } = await import('node:fs/promises');
    await copyFile(ca.caFile, join(dir, 'ca.pem'));
    await writeFile(join(dir, 'skein.json'), JSON.stringify({ fetch: { tls: { ca: 'ca.pem' } }, politeness: { respectRobots: false } }));
    const result = await runCli(['crawl', `${signed.url}/`, '--config', join(dir, 'skein.json'), '--data-dir', join(dir, 'data'), '--name', 'rel', '--max-pages', '2'], { cwd: '/' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
});
