/**
 * The private-network guard against a hostile network (test/helpers/hostile-net):
 * a public site on 192.0.2.10 whose links, redirects, robots.txt and sitemaps
 * point at loopback, private, CGNAT, metadata and IPv6 internal addresses in
 * every notation, and at DNS names resolving or rebinding to them. Every case
 * ends as a `blocked-address` record and the internal servers' own logs show
 * no connection; a local crawl (seed on loopback) keeps loopback, and an
 * allow-list lets exactly its ranges through (the servers do log those, which
 * shows that their logs see connections). Runs in `unshare -n -m` (root).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canUseNetworkNamespace } from '../helpers/broad-web/broad-crawl.js';
import type { Scenario, ScenarioResult } from '../helpers/hostile-net/hostile-net-child.js';
import {
  DNS_ADDRESS,
  LINK_CASES,
  LOCAL_LINKS,
  LOCAL_SITE,
  namespaceSetup,
  PRIVATE_SITEMAP,
  PUBLIC2_PAGE,
  PUBLIC_NAMED,
  PUBLIC_ORIGIN,
  REDIRECT_CASES,
  SITEMAP_CASES,
} from '../helpers/hostile-net/hostile-net.js';
import { normalizeUrl } from '../../src/url/normalize-url.js';

const CHILD = fileURLToPath(new URL('../helpers/hostile-net/hostile-net-child.js', import.meta.url));
const canNamespace = canUseNetworkNamespace() && spawnSync('unshare', ['-n', '-m', 'true']).status === 0;

async function runScenarios(scenarios: Scenario[]): Promise<Record<string, ScenarioResult>> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-hostile-'));
  const resolvConf = join(dir, 'resolv.conf');
  await writeFile(resolvConf, `nameserver ${DNS_ADDRESS}\noptions timeout:1 attempts:1\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-n', '-m', 'sh', '-c', namespaceSetup(resolvConf), process.execPath, CHILD, JSON.stringify(scenarios)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`hostile-net child exited with ${code ?? signal}: ${stderr.slice(-3000)}`));
      resolve((JSON.parse(stdout) as { results: Record<string, ScenarioResult> }).results);
    });
  });
}

/** The record key a hostile URL gets (the normalised URL). */
function keyOf(url: string): string {
  const normalized = normalizeUrl(url);
  if (!normalized.ok) throw new Error(`cannot normalise ${url}`);
  return normalized.url;
}

describe('private-network guard on a hostile network', { skip: canNamespace ? false : 'needs unshare -n -m and ip (root)' }, () => {
  let results: Record<string, ScenarioResult>;
  const seeds = [`${PUBLIC_ORIGIN}/`, `${PUBLIC_ORIGIN}/seed-redirect`];
  before(async () => {
    results = await runScenarios([
      { name: 'guard', seeds },
      { name: 'no-robots', seeds, config: { politeness: { respectRobots: false } } },
      { name: 'local', seeds: [`${LOCAL_SITE}/`] },
      { name: 'allow-list', seeds, config: { fetch: { allowPrivateNetworks: ['10.0.0.0/8'] } } },
    ]);
  });

  const hostile = [
    ...LINK_CASES.map((c) => ({ key: keyOf(c.url), what: c.what })),
    ...REDIRECT_CASES.filter((c) => c.path !== '/redirect/chain2').map((c) => ({ key: keyOf(`${PUBLIC_ORIGIN}${c.path}`), what: c.what })),
    ...SITEMAP_CASES.map((c) => ({ key: keyOf(c.url), what: c.what })),
  ];

  test(`${hostile.length} hostile URLs: each recorded as blocked-address, no connection to any internal server`, () => {
    assert.ok(hostile.length >= 30);
    for (const name of ['guard', 'no-robots']) {
      const { records, connections } = results[name]!;
      const byKey = new Map(records.map((r) => [r.key, r]));
      for (const { key, what } of hostile) {
        const record = byKey.get(key);
        assert.ok(record, `${name}: no record for ${key} (${what}); stored: ${records.map((r) => r.key).join(' ')}`);
        assert.equal(record.reason, 'blocked-address', `${name}: ${key} (${what}): ${JSON.stringify(record)}`);
        assert.equal(record.outcome, 'skipped', `${name}: ${key}`);
      }
      assert.deepEqual(connections, [], `${name}: connections made to internal servers`);
    }
  });

  test('the refusal says which address and range, and how to allow it; a refused first hop is not a fetched page', () => {
    const byKey = new Map(results.guard!.records.map((r) => [r.key, r]));
    const metadata = byKey.get(keyOf('http://169.254.169.254/latest/meta-data/'))!;
    assert.match(metadata.message!, /169\.254\.169\.254 is a link-local \(cloud metadata\) address \(169\.254\.0\.0\/16\).*fetch\.allowPrivateNetworks or --allow-private/);
    assert.equal(metadata.fetched, false);
    const named = byKey.get(keyOf('http://private.test/name'))!;
    assert.match(named.message!, /private\.test resolves to 10\.0\.0\.5, which is a private \(RFC 1918\) address/);
    const redirected = byKey.get(keyOf(`${PUBLIC_ORIGIN}/redirect/metadata`))!;
    assert.equal(redirected.finalUrl, 'http://169.254.169.254/latest/meta-data/iam');
    assert.notEqual(redirected.fetched, false, 'the public hop was fetched');
  });

  test('allowed pages are crawled: public by name and literal, a host whose robots.txt redirects to loopback; the private sitemap is reported', () => {
    for (const name of ['guard', 'no-robots']) {
      const byKey = new Map(results[name]!.records.map((r) => [r.key, r]));
      for (const url of [`${PUBLIC_ORIGIN}/`, PUBLIC_NAMED, PUBLIC2_PAGE]) assert.equal(byKey.get(keyOf(url))?.outcome, 'ok', `${name}: ${url}`);
    }
    assert.ok(results.guard!.logs.some((line) => line.includes(PRIVATE_SITEMAP) && /10\.0\.0\.5 is a private/.test(line)), results.guard!.logs.join('\n'));
  });

  test('a local crawl (seed on loopback) reaches loopback with no flag; other private ranges stay blocked', () => {
    const { records, connections } = results.local!;
    const byKey = new Map(records.map((r) => [r.key, r]));
    assert.equal(byKey.get(keyOf(`${LOCAL_SITE}/`))?.outcome, 'ok');
    assert.equal(byKey.get(keyOf(LOCAL_LINKS.allowed))?.outcome, 'ok');
    for (const url of LOCAL_LINKS.blocked) assert.equal(byKey.get(keyOf(url))?.reason, 'blocked-address', url);
    assert.ok(connections.some((line) => line.startsWith('[127.1.2.3]:80 ← GET')), connections.join('\n'));
    assert.ok(connections.every((line) => line.startsWith('[127.')), connections.join('\n'));
  });

  test('an allow-list lets exactly its ranges through (and the internal servers log those connections)', () => {
    const { records, connections } = results['allow-list']!;
    const byKey = new Map(records.map((r) => [r.key, r]));
    for (const url of ['http://10.0.0.5/rfc1918-a', 'http://private.test/name']) assert.equal(byKey.get(keyOf(url))?.outcome, 'ok', url);
    assert.equal(byKey.get(keyOf(`${PUBLIC_ORIGIN}/redirect/v6mapped`))?.outcome, 'ok', 'IPv4-mapped 10.0.0.5 matches 10.0.0.0/8');
    for (const url of ['http://127.0.0.1/literal', 'http://169.254.169.254/latest/meta-data/', 'http://172.16.0.5/rfc1918-b']) {
      assert.equal(byKey.get(keyOf(url))?.reason, 'blocked-address', url);
    }
    assert.ok(connections.length > 0);
    assert.ok(connections.every((line) => line.startsWith('[10.0.0.5]:80')), connections.join('\n'));
  });
});
