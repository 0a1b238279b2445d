import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PageRecord } from '../../src/core/types.js';
import { markdownFileName, safeSegment, shortHash } from '../../src/export/markdown-file-name.js';
import { writeMarkdownFiles } from '../../src/export/markdown-files.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

describe('markdownFileName', () => {
  const cases: Array<[string, string]> = [
    ['https://docs.example.com/', 'docs.example.com/index.md'],
    ['https://docs.example.com/guide/install', 'docs.example.com/guide/install.md'],
    ['https://docs.example.com/guide/', 'docs.example.com/guide/index.md'],
    ['http://127.0.0.1:8080/p/1', '127.0.0.1_8080/p/1.md'],
    ['https://ex.test/a%20b/c%3Fd', 'ex.test/a_b/c_d.md'],
    ['https://ex.test/caf%C3%A9/na%C3%AFve', 'ex.test/café/naïve.md'],
    ['https://ex.test/%2e%2e/%2e%2e/etc/passwd', 'ex.test/etc/passwd.md'],
    ['https://ex.test/a/..%2F..%2Fetc', 'ex.test/a/___.._etc.md'],
    ['https://ex.test/.hidden', 'ex.test/_hidden.md'],
    ['https://ex.test/notes.md/x', 'ex.test/notes.md_/x.md'],
    ['https://ex.test/readme.md', 'ex.test/readme.md'],
    ['https://ex.test/page.html', 'ex.test/page.html.md'],
    ['https://ex.test/list?page=2', `ex.test/list_q-${shortHash('?page=2')}.md`],
  ];
  for (const [url, expected] of cases) {
    test(url, () => assert.equal(markdownFileName(url), expected));
  }

  test('every name stays inside the export folder and uses safe characters', () => {
    for (const [url] of cases) {
      for (const segment of markdownFileName(url).split('/')) {
        assert.ok(segment !== '' && segment !== '.' && segment !== '..' && !segment.startsWith('.'), `${url}: ${segment}`);
        assert.match(segment, /^[\p{L}\p{N}._-]+$/u);
      }
    }
  });

  test('long segments are cut with a hash; a suffix resolves a clash', () => {
    const long = 'a'.repeat(300);
    const name = safeSegment(long);
    assert.equal(name.length, 80);
    assert.ok(name.endsWith(`-${shortHash(long)}`));
    assert.equal(markdownFileName('https://ex.test/a', '-12345678'), 'ex.test/a-12345678.md');
  });
});

describe('writeMarkdownFiles', () => {
  const newDir = tempDirs('skein-md-files-');
  const page = (url: string, markdown?: string): PageRecord => ({
    key: url, url, redirects: [], depth: 0, fetchedAt: '2024-01-01T00:00:00.000Z', outcome: 'ok', bytes: 1,
    timings: { waitMs: 0, downloadMs: 0, parseMs: 0, totalMs: 0 }, ...(markdown !== undefined ? { markdown } : {}),
  });
  async function* records(list: PageRecord[]): AsyncGenerator<PageRecord> {
    yield* list;
  }

  test('URLs that map to one name never overwrite each other: the later file gets a hash of its URL', async () => {
    const dir = await newDir();
    const result = await writeMarkdownFiles(records([page('https://ex.test/a%20b', '# one'), page('https://ex.test/a_b', '# two'), page('https://ex.test/A', '# upper'), page('https://ex.test/none')]), dir);
    assert.deepEqual(result, { files: 3, withoutMarkdown: 1 });
    const names = (await readdir(join(dir, 'ex.test'))).sort();
    assert.deepEqual(names, ['A.md', `a_b-${shortHash('https://ex.test/a_b')}.md`, 'a_b.md']);
    assert.match(await readFile(join(dir, 'ex.test', 'a_b.md'), 'utf8'), /# one\n$/);
    assert.match(await readFile(join(dir, 'ex.test', `a_b-${shortHash('https://ex.test/a_b')}.md`), 'utf8'), /url: "https:\/\/ex.test\/a_b"[\s\S]*# two\n$/);
  });
});
