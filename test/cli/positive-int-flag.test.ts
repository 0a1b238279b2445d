import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positiveIntFlag } from '../../src/cli/positive-int-flag.js';
import { ConfigError } from '../../src/core/errors.js';

test('positiveIntFlag: positive whole numbers, else a ConfigError naming the flag', () => {
  const parse = positiveIntFlag('pages');
  assert.equal(parse('200'), 200);
  assert.equal(parse(' 7 '), 7);
  for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3']) {
    assert.throws(() => parse(bad), (error: unknown) => error instanceof ConfigError && /pages/.test(error.message) && error.message.includes(JSON.stringify(bad)), bad);
  }
});
