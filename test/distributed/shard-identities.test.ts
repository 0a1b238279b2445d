/**
 * Shard identities as nodes read them: a node that joins, or recovers at the
 * same moment as another, waits for the node that published the crawl to
 * write every shard's identity, and only shards still without it after the
 * wait count as lost (their master restarted empty).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { crawlKeys, shardsWithoutIdentity, writeShardIdentities } from '../../src/frontier/redis-keys.js';
import { startRedisServer } from '../helpers/redis-server.js';

const server = await startRedisServer();

describe('shardsWithoutIdentity', { skip: server.ok ? false : server.reason }, () => {
  const redis = server.ok ? new Redis(server.url) : undefined;
  after(async () => {
    await redis?.quit();
    if (server.ok) await server.stop();
  });

  test('identities written while a node waits are found: nothing is taken as lost', async () => {
    const crawlId = `t-${randomUUID()}`;
    const started = Date.now();
    setTimeout(() => void writeShardIdentities(redis!, crawlId, 'token-1', 16), 300);
    assert.deepEqual(await shardsWithoutIdentity(redis!, crawlId, 'token-1', 16, 5_000), []);
    assert.ok(Date.now() - started >= 290, 'it waited for the writer');
  });

  test('shards still without the identity after the wait are returned, and a stale token counts as missing', async () => {
    const crawlId = `t-${randomUUID()}`;
    await writeShardIdentities(redis!, crawlId, 'token-1', 8);
    await redis!.del(crawlKeys(crawlId).shardIdentity(3));
    await redis!.set(crawlKeys(crawlId).shardIdentity(5), 'token-0');
    assert.deepEqual(await shardsWithoutIdentity(redis!, crawlId, 'token-1', 8, 200), [3, 5]);
  });
});
