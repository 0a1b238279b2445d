import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainFrontierLoss } from '../../src/cli/frontier-loss-message.js';
import { FrontierUnavailableError } from '../../src/core/errors.js';
import type { RedisFlags } from '../../src/cli/redis-flags.js';

const flags: RedisFlags = { redisUrl: 'redis://:s3cret@127.0.0.1:6390', crawlId: 'c1', redisTimeoutMs: 3000 };
const lost = () => new FrontierUnavailableError('ERR_FRONTIER_LOST', 'Redis did not answer for 3 s', { retryable: true });
const stateLost = () => new FrontierUnavailableError('ERR_FRONTIER_STATE_LOST', 'the crawl "c1" is gone from Redis');
const base = ['crawl', 'http://127.0.0.1:8080/', '--redis', 'redis://:s3cret@127.0.0.1:6390', '--crawl-id', 'c1'];

describe('the rejoin command printed when a node loses its shared frontier', () => {
  test('a node that had the default id is told to rejoin under that id, so it finds its store again', async () => {
    const { message } = await explainFrontierLoss(lost(), { flags, nodeId: 'box-4242', argv: base });
    assert.match(message, /rejoin with the same command:\n {4}skein crawl http:\/\/127\.0\.0\.1:8080\/ --redis 'redis:\/\/:\*\*\*@127\.0\.0\.1:6390' --crawl-id c1 --node-id box-4242$/m);
    assert.doesNotMatch(message, /s3cret/);
    assert.match(message, /password is shown as \*\*\*/);
  });

  test('a node id the user gave is kept once, in either spelling', async () => {
    for (const argv of [[...base, '--node-id', 'n1'], [...base, '--node-id=n1']]) {
      const { message } = await explainFrontierLoss(lost(), { flags, nodeId: 'n1', argv });
      assert.equal(message.match(/--node-id/g)?.length, 1, message);
    }
  });

  test('a lost crawl state adds --recover and the node id once', async () => {
    const { message, code } = await explainFrontierLoss(stateLost(), { flags, nodeId: 'box-1', argv: [...base, '--recover'] });
    assert.equal(code, 'ERR_FRONTIER_STATE_LOST');
    const command = message.split('\n').find((line) => line.trimStart().startsWith('skein '));
    assert.equal(command?.trim(), "skein crawl http://127.0.0.1:8080/ --redis 'redis://:***@127.0.0.1:6390' --crawl-id c1 --recover --node-id box-1");
  });
});
