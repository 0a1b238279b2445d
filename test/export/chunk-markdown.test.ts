import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkMarkdown, markdownBlocks } from '../../src/export/chunk-markdown.js';

const para = (word: string, n: number): string => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ') + '.';

describe('chunkMarkdown', () => {
  test('blocks split at blank lines but never inside fenced code', () => {
    const blocks = markdownBlocks('# T\n\nintro\n\n```js\na\n\nb\n```\n\n- x\n- y');
    assert.deepEqual(blocks.map((b) => b.text), ['# T', 'intro', '```js\na\n\nb\n```', '- x\n- y']);
    assert.deepEqual(blocks.map((b) => b.level), [1, 0, 0, 0]);
  });

  test('a short page is one chunk with its heading path', () => {
    assert.deepEqual(chunkMarkdown('# A\n\nintro\n\n## B\n\nbody', { maxChars: 1000 }), [{ headings: ['A'], text: '# A\n\nintro\n\n## B\n\nbody' }]);
  });

  test('chunks begin at headings once half full and carry the heading path', () => {
    const md = `# Guide\n\n${para('g', 30)}\n\n## Install\n\n${para('i', 30)}\n\n### Linux\n\n${para('l', 30)}\n\n## Use\n\n${para('u', 30)}`;
    const chunks = chunkMarkdown(md, { maxChars: 200 });
    assert.deepEqual(chunks.map((c) => c.headings), [['Guide'], ['Guide', 'Install'], ['Guide', 'Install', 'Linux'], ['Guide', 'Use']]);
    assert.ok(chunks[1]!.text.startsWith('## Install\n\n'));
    for (const chunk of chunks) assert.ok(chunk.text.length <= 200, `${chunk.text.length} chars`);
  });

  test('long blocks split: text at sentences, code between lines (fenced again), tables between rows (header repeated)', () => {
    const text = Array.from({ length: 10 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const code = '```py\n' + Array.from({ length: 30 }, (_, i) => `print(${i})`).join('\n') + '\n```';
    const table = '| k | v |\n| --- | --- |\n' + Array.from({ length: 20 }, (_, i) => `| key${i} | value${i} |`).join('\n');
    const chunks = chunkMarkdown(`${text}\n\n${code}\n\n${table}`, { maxChars: 120 });
    for (const chunk of chunks) assert.ok(chunk.text.length <= 120, `${chunk.text.length} chars: ${chunk.text}`);
    const codeChunks = chunks.filter((c) => c.text.includes('print('));
    assert.ok(codeChunks.length > 1);
    for (const chunk of codeChunks) assert.match(chunk.text, /^```py\n[\s\S]*\n```$/);
    assert.equal(codeChunks.map((c) => c.text.replace(/^```py\n|\n```$/g, '')).join('\n'), code.replace(/^```py\n|\n```$/g, ''));
    const tableChunks = chunks.filter((c) => c.text.includes('| key'));
    for (const chunk of tableChunks) assert.ok(chunk.text.startsWith('| k | v |\n| --- | --- |\n| key'));
    assert.equal(chunks.filter((c) => c.text.includes('Sentence')).map((c) => c.text).join(' '), text);
  });

  test('overlap repeats the end of the previous chunk from a word boundary, within maxChars', () => {
    const md = Array.from({ length: 8 }, (_, i) => para(`w${i}x`, 8)).join('\n\n');
    const chunks = chunkMarkdown(md, { maxChars: 150, overlapChars: 40 });
    assert.ok(chunks.length > 2);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!.text;
      const start = chunks[i]!.text.split('\n\n')[0]!;
      assert.ok(previous.endsWith(start), `chunk ${i} starts with the end of chunk ${i - 1}`);
      assert.ok(start.length <= 40 && start.length > 0);
      assert.ok(chunks[i]!.text.length <= 150);
    }
  });

  test('a word longer than a chunk is cut', () => {
    const chunks = chunkMarkdown('x'.repeat(250), { maxChars: 100 });
    assert.deepEqual(chunks.map((c) => c.text.length), [100, 100, 50]);
  });
});
