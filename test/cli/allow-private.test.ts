/**
 * The private-network guard as a user meets it with the built binary: a
 * strict config (`allowPrivateNetworks: false`) refuses even a loopback seed
 * (nothing is requested, the record says why and how to allow it), and
 * `--allow-private` lets it through; a malformed range is a config error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

describe('private-network guard (built CLI)', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  before(async () => {
    site = await startScriptedSite({ '/': { body: htmlPage('home', ['/a']) }, '/a': { body: htmlPage('a') } });
  });
  after(() => site.close());

  test('allowPrivateNetworks: false refuses a loopback seed without a request; --allow-private crawls it', async () => {
    const dataDir = await newDir();
    const config = join(dataDir, 'strict.json');
    await writeFile(config, JSON.stringify({ fetch: { allowPrivateNetworks: false } }));
    const refused = await runCli(['crawl', `${site.url}/`, '--config', config, '--name', 'strict', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /blocked-address: 127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\): not connected to; allow it with fetch\.allowPrivateNetworks or --allow-private/);
    assert.equal(site.log.length, 0, 'no request reached the site, robots.txt included');
    const records = [...(await storedRecords(dataDir, 'strict')).values()];
    assert.deepEqual(records.map((r) => [r.outcome, r.reason, r.fetched]), [['skipped', 'blocked-address', false]]);

    const allowed = await runCli(['crawl', `${site.url}/`, '--config', config, '--allow-private', '--name', 'allowed', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).pages.ok, 2);
  });

  test('--allow-private with a CIDR list: the listed range is allowed; a malformed one exits 2 naming the option', async () => {
    const dataDir = await newDir();
    const config = join(dataDir, 'strict.json');
    await writeFile(config, JSON.stringify({ fetch: { allowPrivateNetworks: false } }));
    const listed = await runCli(['crawl', `${site.url}/`, '--config', config, '--allow-private', '10.0.0.0/8, 127.0.0.0/8', '--name', 'listed', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).pages.ok, 2);

    const bad = await runCli(['crawl', `${site.url}/`, '--allow-private', '10.0.0.0/33', '--name', 'bad', '--data-dir', dataDir]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /fetch\.allowPrivateNetworks\[0\]: expected a CIDR range such as "10\.0\.0\.0\/8" or "fd00::\/8", or one IP address, got "10\.0\.0\.0\/33"/);
  });

  test('by default a loopback seed is crawled with no flag (its range is the seeds\')', async () => {
    const dataDir = await newDir();
    const result = await runCli(['crawl', `${site.url}/`, '--name', 'local', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).pages.ok, 2);
  });
});
