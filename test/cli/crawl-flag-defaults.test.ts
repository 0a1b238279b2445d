import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crawlConfigSchema, parserSchema } from '../../src/config/schema.js';
import { FLAG_DEFAULTS, WORKERS_HELP } from '../../src/cli/crawl-flags.js';

// --help shows these without loading the schema; they must stay the schema's defaults.
test('the defaults --help shows are the schema defaults', () => {
  const defaults = crawlConfigSchema.parse({}) as unknown as Record<string, unknown>;
  for (const [path, shown] of Object.entries(FLAG_DEFAULTS)) {
    const actual = path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], defaults);
    assert.deepEqual(shown, actual, path);
  }
});

test('--workers help is the schema description of parser.workers', () => {
  const description = parserSchema.shape.workers.description!.replace(/\.$/, '');
  assert.equal(WORKERS_HELP, description.charAt(0).toLowerCase() + description.slice(1));
});
