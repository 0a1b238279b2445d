/**
 * The main-content quality suite: realistic pages of many kinds
 * (test/fixtures/content/*.html, each built the way such sites are: nav,
 * header, footer, sidebars, cookie banners, related blocks) with
 * hand-written expectations (*.json): the main text, scored with token
 * 4-gram shingle F1, and the Markdown structure, asserted exactly.
 * Targets: mean F1 ≥ 0.95, no page below 0.80.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { markdownStructure, shingleF1 } from '../helpers/content-quality.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

interface Expected {
  url: string;
  kind: string;
  text: string[];
  headings: string[];
  tables?: string[][][];
  code?: Array<{ lang: string; text: string }>;
  links?: string[];
  images?: string[];
  absent?: string[];
}

const DIR = join(process.cwd(), 'test/fixtures/content');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.html')).sort().map((file) => {
  const name = file.replace(/\.html$/, '');
  const expected = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Expected;
  return { name, html: readFileSync(join(DIR, file)), expected };
});

const rules = compileParseRules(testRules({ extract: { content: { enabled: true, text: true } } }));
const scores: Array<{ name: string; f1: number }> = [];

describe('main-content quality', () => {
  test('the suite has at least 30 pages of at least 7 kinds, well under 2 MiB', () => {
    assert.ok(fixtures.length >= 30, `${fixtures.length} fixtures`);
    assert.ok(new Set(fixtures.map((f) => f.expected.kind)).size >= 7);
    assert.ok(fixtures.reduce((sum, f) => sum + f.html.length, 0) < 1024 * 1024);
  });

  for (const { name, html, expected } of fixtures) {
    test(`${name} (${expected.kind})`, () => {
      const page = parsePage(htmlInput('', { url: expected.url, body: html }), rules);
      const markdown = page.markdown ?? '';
      const { f1, precision, recall } = shingleF1(page.contentText ?? '', expected.text.join('\n'));
      scores.push({ name, f1 });
      assert.ok(f1 >= 0.8, `${name}: F1 ${f1.toFixed(3)} (precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)})\n${page.contentText}`);
      const structure = markdownStructure(markdown);
      assert.deepEqual(structure.headings, expected.headings, 'headings');
      assert.deepEqual(structure.tables, expected.tables ?? [], 'tables');
      assert.deepEqual(structure.code, expected.code ?? [], 'code blocks');
      for (const link of expected.links ?? []) assert.ok(structure.links.includes(link), `link ${link} in ${structure.links.join(' ')}`);
      for (const image of expected.images ?? []) assert.ok(structure.images.includes(image), `image ${image}`);
      for (const target of [...structure.links, ...structure.images]) assert.match(target, /^(https?|mailto|tel):/, 'absolute links only');
      for (const text of expected.absent ?? []) assert.ok(!markdown.includes(text), `"${text}" is boilerplate`);
      assert.ok(!/data:image/.test(markdown), 'no base64 images');
    });
  }

  test('mean shingle F1 ≥ 0.95 and no page below 0.80', (t) => {
    assert.equal(scores.length, fixtures.length, 'every page scored');
    const mean = scores.reduce((sum, s) => sum + s.f1, 0) / scores.length;
    const worst = scores.reduce((a, b) => (b.f1 < a.f1 ? b : a));
    t.diagnostic(`mean F1 ${mean.toFixed(3)} over ${scores.length} pages; worst ${worst.name} ${worst.f1.toFixed(3)}`);
    assert.ok(mean >= 0.95, `mean F1 ${mean.toFixed(3)}`);
    assert.ok(worst.f1 >= 0.8, `worst ${worst.name} ${worst.f1.toFixed(3)}`);
  });
});
