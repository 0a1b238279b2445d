import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envLayer, loadConfig, validateConfig } from '../../src/config/load-config.js';
import { configJsonSchema } from '../../src/config/write-json-schema.js';
import { configOptions, configReferenceMarkdown } from '../../src/config/config-reference.js';
import { ConfigError } from '../../src/core/errors.js';

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('loadConfig precedence: defaults < file < SKEIN_* env < flags', () => {
  test('each layer overrides the one below it, field by field', async () => {
    const file = await tempFile('c.json', JSON.stringify({ seeds: ['https://a.test/'], fetch: { concurrency: 4, retries: 5 }, scope: { maxPages: 10 } }));
    const config = await loadConfig({
      file,
      env: { SKEIN_FETCH__CONCURRENCY: '8', SKEIN_SCOPE__MAX_PAGES: '20', HOME: '/x' },
      flags: { 'scope.maxPages': 30 },
    });
    assert.equal(config.fetch.concurrency, 8, 'env beats file');
    assert.equal(config.fetch.retries, 5, 'file beats default');
    assert.equal(config.scope.maxPages, 30, 'flag beats env');
    assert.equal(config.politeness.respectRobots, true, 'default kept');
    assert.deepEqual(config.seeds, ['https://a.test/']);
  });

  test('env values are parsed as JSON when they look like it', () => {
    assert.deepEqual(envLayer({ SKEIN_SCOPE__EXCLUDE: '["**/*.pdf"]', SKEIN_POLITENESS__RESPECT_ROBOTS: 'false', SKEIN_NAME: 'x' }), {
      scope: { exclude: ['**/*.pdf'] },
      politeness: { respectRobots: false },
      name: 'x',
    });
  });

  test('comments and trailing commas are accepted in config files', async () => {
    const file = await tempFile('c.json', '// hello\n{ "seeds": ["https://a.test/"], /* x */ "scope": { "maxDepth": 2, }, }');
    const config = await loadConfig({ file, env: {} });
    assert.equal(config.scope.maxDepth, 2);
  });
});

describe('validation names the field and what was expected', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['wrong type', { fetch: { concurrency: 'many' } }, 'fetch.concurrency', /expected number, got the string "many"$/],
    ['negative', { scope: { maxPages: -1 } }, 'scope.maxPages', /^scope\.maxPages: expected a number > 0, got -1$/],
    ['not an integer', { politeness: { delayMs: 1.5 } }, 'politeness.delayMs', /expected an integer, got the number 1\.5$/],
    ['too big', { fetch: { retries: 11 } }, 'fetch.retries', /expected a number <= 10, got 11$/],
    ['unknown key', { fetch: { concurency: 3 } }, 'fetch', /unknown option "concurency"/],
    ['bad enum', { parser: { mode: 'fork' } }, 'parser.mode', /expected one of "process", "thread", "inline", got "fork"$/],
    ['bad seed', { seeds: ['https://a.test/', 'ftp://x/'] }, 'seeds[1]', /^seeds\[1\]: expected an absolute http\(s\) URL.*, got "ftp:\/\/x\/"$/],
    ['empty string', { dataDir: '' }, 'dataDir', /expected at least 1 characters, got ""$/],
    ['bad name', { name: '../etc' }, 'name', /letters, digits/],
    ['bad regex', { scope: { exclude: ['/(unclosed/'] } }, 'scope.exclude', /unclosed|regular expression|Invalid/i],
  ];
  for (const [label, input, field, message] of cases) {
    test(label, () => {
      assert.throws(
        () => validateConfig(input),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `ConfigError, got ${String(error)}`);
          assert.equal(error.field.startsWith(field), true, `field ${error.field} should start with ${field}`);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('a long value is quoted cut short', () => {
    const seed = `htp://example.com/${'a'.repeat(500)}`;
    assert.throws(
      () => validateConfig({ seeds: [seed] }),
      (error: ConfigError) => {
        assert.equal(error.field, 'seeds[0]');
        const quoted = /, got (".*")$/.exec(error.message)?.[1] ?? '';
        assert.ok(quoted.startsWith('"htp://example.com/aaa') && quoted.endsWith('…"'), quoted);
        assert.ok(quoted.length <= 81, `${quoted.length} characters quoted`);
        return true;
      },
    );
  });

  test('every problem is listed, each with its field and value (the first names the error field)', () => {
    const input = { seeds: ['https://ok.test/', 'htp://typo.test/', 'https://fine.test/'], scope: { maxDepth: -1, mode: 'same-site' } };
    assert.throws(
      () => validateConfig(input),
      (error: ConfigError) => {
        assert.equal(error.field, 'seeds[1]');
        const lines = error.message.split('\n').map((line) => line.trim());
        assert.equal(lines.length, 3, error.message);
        assert.match(lines[0]!, /^seeds\[1\]: .*got "htp:\/\/typo\.test\/"$/);
        assert.ok(lines.includes('scope.maxDepth: expected a number >= 0, got -1'), error.message);
        assert.ok(lines.some((line) => line.startsWith('scope.mode:') && line.endsWith('got "same-site"')), error.message);
        return true;
      },
    );
  });

  test('past five problems, the rest are counted', () => {
    const seeds = Array.from({ length: 8 }, (_, i) => `bad-${i}`);
    assert.throws(
      () => validateConfig({ seeds }),
      (error: ConfigError) => {
        const lines = error.message.split('\n');
        assert.equal(lines.length, 6, error.message);
        assert.match(lines[5]!, /and 3 more problem/);
        return true;
      },
    );
  });

  test('a config file that is not JSON names the file and line', async () => {
    const file = await tempFile('broken.json', '{\n  "seeds": [\n}');
    await assert.rejects(loadConfig({ file, env: {} }), (error: ConfigError) => {
      assert.match(error.message, /broken\.json.*line 3/);
      return true;
    });
  });
});

describe('shipped configs', () => {
  test('every example in config/ loads and validates', async () => {
    const files = (await readdir('config')).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    assert.ok(files.length >= 2, 'at least two example configs');
    for (const file of files) {
      const config = await loadConfig({ file: join('config', file), env: {} });
      assert.ok(config.seeds.length > 0, `${file} has seeds`);
    }
  });

  test('config/skein.schema.json is the schema generated from the code (npm run schema)', async () => {
    const committed = JSON.parse(await readFile('config/skein.schema.json', 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(configJsonSchema())));
  });

  test('the README configuration reference is generated from the schema (npm run schema)', async () => {
    const readme = await readFile('README.md', 'utf8');
    assert.ok(readme.includes(configReferenceMarkdown()), 'README reference is stale: run npm run schema');
  });

  test('every option (each leaf of the schema, a row of the reference) has a description', () => {
    const options = configOptions();
    const missing = options.filter(({ node }) => !node.description?.trim()).map(({ path }) => path);
    assert.ok(options.length > 40, `walked ${options.length} options`);
    assert.deepEqual(missing, [], 'options without .describe() in src/config/schema.ts');
  });
});
