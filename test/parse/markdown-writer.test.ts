import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

const full = compileParseRules(testRules({ extract: { content: { enabled: true, mode: 'full', text: true } } }));

/** The whole body as Markdown (mode full: no detection), for a page at https://example.com/dir/page.html. */
function markdown(body: string, head = ''): string {
  return parsePage(htmlInput(`<html><head>${head}</head><body>${body}</body></html>`), full).markdown ?? '';
}

const cases: Array<{ name: string; html: string; md: string; head?: string }> = [
  { name: 'headings keep their levels', html: '<h1>One</h1><h2>Two</h2><h3>Three <em>em</em></h3><h6>Six</h6>', md: '# One\n\n## Two\n\n### Three *em*\n\n###### Six' },
  { name: 'paragraphs, emphasis, strike-through, code spans', html: '<p>A <strong>bold</strong> and <i>italic</i> <del>gone</del> <code>x = `y`</code>.</p><p>Second</p>', md: 'A **bold** and *italic* ~~gone~~ `` x = `y` ``.\n\nSecond' },
  { name: 'entities decoded, Markdown characters escaped', html: '<p>&amp; &lt;tag&gt; &copy; *stars* _u_ snake_case [x] a\\b &amp;amp;</p>', md: '& \\<tag> © \\*stars\\* \\_u\\_ snake_case \\[x\\] a\\\\b \\&amp;' },
  { name: 'line starts that would be Markdown are escaped', html: '<p># not a heading</p><p>1. not a list</p><p>- nor this</p><p>&gt; nor a quote</p>', md: '\\# not a heading\n\n1\\. not a list\n\n\\- nor this\n\n\\> nor a quote' },
  { name: 'links and images made absolute; javascript: links keep their text', html: '<p><a href="../a?q=1#f">rel</a> <a href="/b">root</a> <a href="#top">frag</a> <a href="javascript:void(0)">js</a> <a href="mailto:x@y.z">mail</a> <img src="img/p (1).png" alt="A [pic]"></p>', md: '[rel](https://example.com/a?q=1#f) [root](https://example.com/b) [frag](https://example.com/dir/page.html#top) js [mail](mailto:x@y.z) ![A \\[pic\\]](https://example.com/dir/img/p%20%281%29.png)' },
  { name: '<base href> is the base for links and images', head: '<base href="https://cdn.example.org/assets/">', html: '<p><a href="x.html">x</a> <img src="y.png" alt="y"></p>', md: '[x](https://cdn.example.org/assets/x.html) ![y](https://cdn.example.org/assets/y.png)' },
  { name: 'no base64 blobs: data: images dropped, lazy-loading attributes used', html: '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"><img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg" alt="real"><img srcset="/s.jpg 1x, /l.jpg 2x" alt="set"></p>', md: '![real](https://example.com/real.jpg)![set](https://example.com/s.jpg)' },
  { name: 'fenced code verbatim with the language from the class', html: '<pre><code class="hljs language-typescript">const a = 1 &lt; 2;\n\n  indented();\n</code></pre>', md: '```typescript\nconst a = 1 < 2;\n\n  indented();\n```' },
  { name: 'language from highlight wrappers and data-lang; none without a hint', html: '<div class="highlight highlight-source-python"><pre><span class="k">def</span> f(): pass</pre></div><pre class="lang-rust">fn main() {}</pre><pre><code data-lang="go">package main</code></pre><pre>plain</pre>', md: '```python\ndef f(): pass\n```\n\n```rust\nfn main() {}\n```\n\n```go\npackage main\n```\n\n```\nplain\n```' },
  { name: 'code containing a fence gets a longer fence; line-number gutters are left out', html: '<pre><code>```js\nx\n```</code></pre><table class="highlighttable"><tr><td class="linenos"><pre>1\n2</pre></td><td class="code"><pre class="language-sh">ls\npwd</pre></td></tr></table>', md: '````\n```js\nx\n```\n````\n\n```sh\nls\npwd\n```' },
  { name: 'nested lists, ordered start, task items', html: '<ul><li>a<ul><li>a1</li><li>a2<ol start="3"><li>three</li><li>four</li></ol></li></ul></li><li><p>b para</p><p>b second</p></li><li><input type="checkbox" checked> done</li><li><input type="checkbox"> todo</li></ul>', md: '- a\n  - a1\n  - a2\n    3. three\n    4. four\n- b para\n\n  b second\n- [x] done\n- [ ] todo' },
  { name: 'block quotes, rules, line breaks', html: '<blockquote><p>Quote <b>one</b></p><p>two<br>lines</p></blockquote><hr><p>after</p>', md: '> Quote **one**\n>\n> two  \n> lines\n\n---\n\nafter' },
  { name: 'table with a header row', html: '<table><caption>Limits</caption><thead><tr><th>Status</th><th>Retried</th></tr></thead><tbody><tr><td>429</td><td>yes, <code>Retry-After</code></td></tr><tr><td>a | b</td><td>no</td></tr></tbody></table>', md: 'Limits\n\n| Status | Retried |\n| --- | --- |\n| 429 | yes, `Retry-After` |\n| a \\| b | no |' },
  { name: 'header-less table gets an empty header row, not data promoted', html: '<table><tr><th>Weight</th><td>1.2 kg</td></tr><tr><th>Colour</th><td>Red</td></tr></table>', md: '| | |\n| --- | --- |\n| Weight | 1.2 kg |\n| Colour | Red |' },
  { name: 'colspan fills empty cells, rowspan repeats down', html: '<table><tr><th>Plan</th><th colspan="2">Price</th></tr><tr><td rowspan="2">Pro</td><td>$10</td><td>monthly</td></tr><tr><td>$100</td><td>yearly</td></tr><tr><td colspan="3">Taxes extra</td></tr></table>', md: '| Plan | Price | |\n| --- | --- | --- |\n| Pro | $10 | monthly |\n| Pro | $100 | yearly |\n| Taxes extra | | |' },
  { name: 'layout tables render their cells as blocks', html: '<table role="presentation"><tr><td><h2>Left</h2><p>text</p></td><td><p>right</p></td></tr></table><table><tr><td>only one column</td></tr></table>', md: '## Left\n\ntext\n\nright\n\nonly one column' },
  { name: 'definition lists and details', html: '<dl><dt>Term</dt><dd>Definition</dd></dl><details><summary>More</summary><p>Hidden text</p></details>', md: '**Term**\n\nDefinition\n\n**More**\n\nHidden text' },
  { name: 'scripts, styles, forms controls and hidden elements never appear', html: '<p>keep</p><script>x()</script><style>p{}</style><p hidden>h</p><p style="display: none">n</p><div aria-hidden="true">a</div><button>Click</button><noscript>ns</noscript>', md: 'keep' },
  { name: 'a link around blocks (a card) keeps the blocks', html: '<a href="/card"><h3>Card title</h3><p>Card text</p></a>', md: '### Card title\n\nCard text' },
];

describe('Markdown writer', () => {
  for (const c of cases) {
    test(c.name, () => assert.equal(markdown(c.html, c.head), c.md));
  }

  test('plain text has the same blocks without Markdown syntax', () => {
    const page = parsePage(htmlInput('<h2>Title</h2><p>A <b>b</b> <a href="/x">link</a> *x*</p><ul><li>one</li><li>two</li></ul><table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table><pre class="language-js">a &lt; b</pre>'), full);
    assert.equal(page.contentText, 'Title\n\nA b link *x*\n\none\ntwo\n\nk\tv\n1\t2\n\na < b');
  });

  test('50,000 nested elements do not overflow the stack', () => {
    const html = `${'<div>'.repeat(50_000)}deep text${'</div>'.repeat(50_000)}`;
    assert.equal(markdown(html), 'deep text');
  });

  test('content is computed only when enabled; noindex pages get none', () => {
    const off = parsePage(htmlInput('<p>text</p>'), compileParseRules(testRules()));
    assert.equal(off.markdown, undefined);
    assert.equal(off.contentText, undefined);
    const noindex = parsePage(htmlInput('<meta name="robots" content="noindex"><p>text</p>'), full);
    assert.equal(noindex.markdown, undefined);
  });

  test('a cut inside a fenced code block closes the fence', () => {
    const rules = compileParseRules(testRules({ extract: { content: { enabled: true, mode: 'full', maxChars: 60 } } }));
    const page = parsePage(htmlInput(`<p>intro</p><pre class="language-js">${'x();\n\n'.repeat(20)}</pre>`), rules);
    assert.match(page.markdown ?? '', /^intro\n\n```js\n(x\(\);\n\n)*x\(\);\n```$/);
  });

  test('Markdown longer than maxChars is cut at a block boundary, with a warning', () => {
    const rules = compileParseRules(testRules({ extract: { content: { enabled: true, mode: 'full', maxChars: 50 } } }));
    const page = parsePage(htmlInput(`<p>${'a'.repeat(30)}</p><p>${'b'.repeat(30)}</p>`), rules);
    assert.equal(page.markdown, 'a'.repeat(30));
    assert.match(page.warnings?.join('\n') ?? '', /content cut to extract\.content\.maxChars \(50 of 62 characters/);
  });
});
