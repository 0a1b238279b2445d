import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

function content(html: string, options: NonNullable<CrawlConfigInput['extract']>['content'] = {}) {
  const rules = compileParseRules(testRules({ extract: { content: { enabled: true, ...options } } }));
  return parsePage(htmlInput(html), rules);
}

const ARTICLE = 'Retries are decided by one pure function, which looks at the status code, the error code and the attempt number. It never sleeps itself: it returns a delay.';

const PAGE = `<!doctype html><html><head><title>Retries</title></head><body>
<div class="cookie-banner"><p>We use cookies to make this site work.</p><button>OK</button></div>
<header><a href="/">Logo</a><nav><a href="/docs">Docs</a> <a href="/blog">Blog</a></nav></header>
<aside class="sidebar"><ul><li><a href="/a">A page</a></li><li><a href="/b">B page</a></li></ul></aside>
<main><nav class="breadcrumbs"><a href="/">Home</a> › Retries</nav>
<article><h1>Retries</h1><p>${ARTICLE}</p><div class="share"><a href="https://x.test/share">Share</a></div></article>
<section class="related-posts"><h2>Related</h2><ul><li><a href="/x">Something else entirely</a></li></ul></section></main>
<footer><p>© 2025 Example</p></footer></body></html>`;

describe('main-content detection', () => {
  test('keeps the article, drops cookie banner, header, nav, sidebar, share, related and footer', () => {
    const page = content(PAGE);
    assert.equal(page.markdown, `# Retries\n\n${ARTICLE}`);
    assert.equal(page.warnings, undefined);
  });

  test('full mode keeps the whole body (scripts and controls still left out)', () => {
    const page = content(PAGE, { mode: 'full' });
    for (const part of ['We use cookies', '[Docs](https://example.com/docs)', ARTICLE, 'Related', '© 2025 Example']) {
      assert.ok(page.markdown?.includes(part), `full page holds ${part}`);
    }
    assert.ok(!page.markdown?.includes('OK'), 'buttons are never content');
  });

  test('exclude selectors remove what the heuristics keep; include selectors pick the content', () => {
    const excluded = content(PAGE, { exclude: ['article h1'] });
    assert.equal(excluded.markdown, ARTICLE);
    const included = content(PAGE, { include: ['.related-posts', 'footer'] });
    assert.equal(included.markdown, '## Related\n\n- [Something else entirely](https://example.com/x)\n\n© 2025 Example');
  });

  test('a page with no detectable main content gets the full page and a warning, never an empty result', () => {
    const page = content('<html><body><nav><a href="/a">Home</a> <a href="/b">About</a></nav><div class="sidebar">Side</div><p>Short.</p></body></html>');
    assert.equal(page.markdown, '[Home](https://example.com/a) [About](https://example.com/b)\n\nSide\n\nShort.');
    assert.deepEqual(page.warnings, ['no main content found (nothing with extract.content.minChars = 120 characters of text): the full page is used']);
    const short = content('<body><main><p>Only a short note.</p></main><footer>Footer text</footer></body>', { minChars: 50 });
    assert.equal(short.markdown, 'Only a short note.\n\nFooter text');
    assert.deepEqual(short.warnings, ['no main content found (nothing with extract.content.minChars = 50 characters of text): the full page is used']);
  });

  test('without <main> or <article>, the best-scoring container and its sibling paragraphs win', () => {
    const para = (n: number): string => `<p>Paragraph ${n} talks about crawling, parsing, and storing pages, at length, with commas, and detail enough to score.</p>`;
    const html = `<body><div id="top"><a href="/">Home</a> | <a href="/about">About</a></div>
      <table><tr><td class="menu"><a href="/1">One</a><br><a href="/2">Two</a></td><td><div class="post-body"><h1>Title</h1>${para(1)}${para(2)}${para(3)}</div></td></tr></table>
      <div id="footer"><p>Copyright <a href="/legal">legal</a></p></div></body>`;
    const page = content(html);
    assert.ok(page.markdown?.startsWith('# Title\n\nParagraph 1'), page.markdown);
    assert.ok(page.markdown?.endsWith('to score.'));
    assert.ok(!page.markdown?.includes('Copyright') && !page.markdown?.includes('One'));
  });

  test('a title above <main> is kept; a logo <h1> link is not taken for it', () => {
    const body = `<p>${ARTICLE}</p><p>${ARTICLE}</p>`;
    const page = content(`<body><header><h1><a href="/">Logo</a></h1><nav><a href="/x">x</a></nav></header><div class="hero"><h1>Real title</h1></div><main>${body}</main></body>`);
    assert.equal(page.markdown, `# Real title\n\n${ARTICLE}\n\n${ARTICLE}`);
  });
});
