import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules, type TestRulesOptions } from '../helpers/parse-rules.js';
import type { ParseInput } from '../../src/parse/parse-types.js';

function parse(html: string, input: Partial<ParseInput> = {}, rules: TestRulesOptions = {}) {
  return parsePage(htmlInput(html, input), compileParseRules(testRules(rules)));
}

describe('parsePage links', () => {
  const cases: Array<{ name: string; html: string; links: string[]; follow?: string[]; input?: Partial<ParseInput> }> = [
    {
      name: 'relative, root-relative, dot segments',
      html: '<a href="a.html">a</a><a href="/b">b</a><a href="../c">c</a>',
      links: ['https://example.com/dir/a.html', 'https://example.com/b', 'https://example.com/c'],
    },
    {
      name: '<base href> is the base for relative links',
      html: '<head><base href="https://example.com/other/"></head><a href="x">x</a><a href="/y">y</a>',
      links: ['https://example.com/other/x', 'https://example.com/y'],
    },
    {
      name: 'relative <base href> resolves against the page URL',
      html: '<base href="/sub/"><a href="x">x</a>',
      links: ['https://example.com/sub/x'],
    },
    {
      name: 'javascript: <base href> is ignored',
      html: '<base href="javascript:alert(1)"><a href="x">x</a>',
      links: ['https://example.com/dir/x'],
    },
    {
      name: 'protocol-relative links take the page scheme',
      html: '<a href="//example.com/p">p</a><a href="//cdn.example.org/q">q</a>',
      links: ['https://example.com/p', 'https://cdn.example.org/q'],
      follow: ['https://example.com/p'],
    },
    {
      name: 'javascript:, mailto:, tel:, data: and invalid hrefs are dropped',
      html: '<a href="javascript:void(0)">j</a><a href="mailto:a@b.c">m</a><a href="tel:+1">t</a><a href="data:text/html,x">d</a><a href="http://[bad">i</a><a href="ok">ok</a>',
      links: ['https://example.com/dir/ok'],
    },
    {
      name: 'whitespace around and inside href',
      html: '<a href="  /spaced  ">s</a><a href="\n/new\tline\n">n</a>',
      links: ['https://example.com/spaced', 'https://example.com/newline'],
    },
    {
      name: 'duplicates and fragments collapse, order of first appearance kept',
      html: '<a href="/z">1</a><a href="/a">2</a><a href="/z#top">3</a><a href="https://EXAMPLE.com:443/a">4</a>',
      links: ['https://example.com/z', 'https://example.com/a'],
    },
    {
      name: 'tracking parameters stripped and the rest sorted',
      html: '<a href="/p?utm_source=x&b=2&a=1">p</a>',
      links: ['https://example.com/p?a=1&b=2'],
    },
    {
      name: '<area href> counts, <a> without href does not',
      html: '<map><area href="/area" alt=""></map><a name="anchor">no href</a><link href="/style.css" rel="stylesheet">',
      links: ['https://example.com/area'],
    },
    {
      name: 'entities in href are decoded',
      html: '<a href="/q?x=1&amp;y=2">q</a>',
      links: ['https://example.com/q?x=1&y=2'],
    },
    {
      name: 'offsite links are recorded but not followed',
      html: '<a href="https://other.org/">o</a><a href="/in">i</a>',
      links: ['https://other.org/', 'https://example.com/in'],
      follow: ['https://example.com/in'],
    },
    {
      name: 'rel=nofollow links are not followed; a followable duplicate is',
      html: '<a rel="external NoFollow" href="/nf">x</a><a rel="nofollow" href="/both">1</a><a href="/both">2</a>',
      links: ['https://example.com/nf', 'https://example.com/both'],
      follow: ['https://example.com/both'],
    },
    {
      name: 'links past maxDepth are not followed',
      html: '<a href="/deep">d</a>',
      input: { depth: 10 },
      links: ['https://example.com/deep'],
      follow: [],
    },
    {
      name: 'http page links to https and back',
      html: '<a href="https://example.com/s">s</a><a href="/rel">r</a>',
      input: { url: 'http://example.com/' },
      links: ['https://example.com/s', 'http://example.com/rel'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = parse(c.html, c.input);
      assert.deepEqual(page.links, c.links);
      assert.deepEqual(page.follow, c.follow ?? c.links);
    });
  }

  test('linkText: each link\'s text, whitespace collapsed, image alt included, the first non-empty one for a URL', () => {
    const page = parse(
      '<a href="/a">  Read\n <b>more</b> </a><a href="/img"><img src="x.png" alt="Logo"></a><a href="/b"></a><a href="/b">Second <i>b</i></a>' +
        `<a href="/long">${'x'.repeat(300)}</a><map><area href="/area" alt="Area alt"></map><a href="/c">c<a href="/d">d</a>`,
    );
    const byUrl = Object.fromEntries(page.links.map((url, i) => [url.slice('https://example.com'.length), page.linkText?.[i]]));
    assert.deepEqual(byUrl, { '/a': 'Read more', '/img': 'Logo', '/b': 'Second b', '/long': 'x'.repeat(100), '/area': 'Area alt', '/c': 'c', '/d': 'd' });
    assert.equal(parse('<a href="/a"></a>').linkText, undefined, 'absent when no link has text');
  });

  test('contentHash: equal visible text, equal hash; none without text', () => {
    const a = parse('<title>A</title><p>Same  words</p><script>x()</script>');
    const b = parse('<title>A</title><div>Same words</div>');
    assert.match(a.contentHash ?? '', /^[A-Za-z0-9_-]{16}$/);
    assert.equal(a.contentHash, b.contentHash);
    assert.notEqual(parse('<p>Other words</p>').contentHash, a.contentHash);
    assert.equal(parse('<p>Same words</p>', {}, { extract: { text: false } }).contentHash, undefined);
  });

  test('rel=nofollow links are followed when respectNofollow is false', () => {
    const page = parse('<a rel="nofollow" href="/nf">x</a>', {}, { respectNofollow: false });
    assert.deepEqual(page.follow, ['https://example.com/nf']);
  });

  test('scope include/exclude patterns filter follow', () => {
    const page = parse('<a href="/blog/1">1</a><a href="/shop/2">2</a><a href="/blog/private/3">3</a>', {}, {
      scope: { include: ['https://example.com/blog/**'], exclude: ['**/private/**'] },
    });
    assert.equal(page.links.length, 3);
    assert.deepEqual(page.follow, ['https://example.com/blog/1']);
  });

  test("the seeds' redirect targets (extraSeeds) count as seeds for follow, however the list grows", () => {
    const compiled = compileParseRules(testRules());
    const html = '<a href="https://www.example.com/a">a</a><a href="https://shop.example.com/b">b</a><a href="/c">c</a>';
    const page = (extraSeeds?: string[]) => parsePage(htmlInput(html, { url: 'https://www.example.com/', ...(extraSeeds ? { extraSeeds } : {}) }), compiled).follow;
    assert.deepEqual(page(), [], 'www is off the seed host');
    assert.deepEqual(page(['https://www.example.com/']), ['https://www.example.com/a', 'https://www.example.com/c']);
    assert.deepEqual(page(['https://www.example.com/', 'https://shop.example.com/']), ['https://www.example.com/a', 'https://shop.example.com/b', 'https://www.example.com/c']);
    assert.deepEqual(page(), [], 'a page without the list keeps the crawl scope');
  });

  test('20,000 links are extracted quickly', () => {
    const anchors: string[] = [];
    for (let i = 0; i < 20_000; i++) anchors.push(`<li><a href="/item/${i}?ref=list&utm_medium=x">Item ${i}</a></li>`);
    anchors.push('<a href="/item/0?ref=list">dup</a>');
    const started = performance.now();
    const page = parse(`<html><body><ul>${anchors.join('\n')}</ul></body></html>`);
    const elapsedMs = performance.now() - started;
    assert.equal(page.links.length, 20_000);
    assert.equal(page.follow.length, 20_000);
    assert.equal(page.links[19_999], 'https://example.com/item/19999?ref=list');
    assert.ok(elapsedMs < 5_000, `took ${elapsedMs} ms`);
  });
});

describe('parsePage robots directives', () => {
  const cases: Array<{ name: string; html: string; xRobotsTag?: string; respect?: boolean; noindex?: boolean; nofollow?: boolean; follow: number }> = [
    { name: 'no directives', html: '', follow: 1 },
    { name: 'meta noindex', html: '<meta name="robots" content="noindex">', noindex: true, follow: 1 },
    { name: 'meta nofollow empties follow', html: '<meta name="ROBOTS" content="index, NOFOLLOW">', nofollow: true, follow: 0 },
    { name: 'meta none = noindex + nofollow', html: '<meta name="robots" content="none">', noindex: true, nofollow: true, follow: 0 },
    { name: 'X-Robots-Tag noindex, nofollow', html: '', xRobotsTag: 'noindex, nofollow', noindex: true, nofollow: true, follow: 0 },
    { name: 'X-Robots-Tag for another bot is ignored', html: '', xRobotsTag: 'googlebot: noindex, nofollow', follow: 1 },
    { name: 'X-Robots-Tag unavailable_after is not a bot name', html: '', xRobotsTag: 'unavailable_after: 25 Jun 2010 15:00:00 PST, noindex', noindex: true, follow: 1 },
    { name: 'directives ignored when not respected', html: '<meta name="robots" content="noindex,nofollow">', xRobotsTag: 'noindex', respect: false, follow: 1 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = parse(`<html><head>${c.html}</head><body><a href="/next">n</a></body></html>`, c.xRobotsTag ? { xRobotsTag: c.xRobotsTag } : {}, {
        respectMetaRobots: c.respect ?? true,
      });
      assert.equal(page.noindex, c.noindex);
      assert.equal(page.nofollow, c.nofollow);
      assert.equal(page.follow.length, c.follow);
      assert.deepEqual(page.links, ['https://example.com/next']);
    });
  }

  test('metaRobots keeps the raw directives', () => {
    assert.equal(parse('<meta name="robots" content="  noindex,\n follow ">').metaRobots, 'noindex, follow');
  });
});

describe('parsePage metadata and text', () => {
  const page = parse(`<!doctype html>
    <html lang=" en-GB ">
    <head>
      <title>  The   Title
      </title>
      <meta name="Description" content="  A  page
        about things ">
      <link rel="canonical" href="/canonical?utm_source=feed&amp;id=7#frag">
      <style>body { color: red }</style>
      <script>document.write('<a href="/from-script">x</a>')</script>
    </head>
    <body>
      <h1>Main <em>heading</em></h1>
      <h2>Second</h2><h2>  </h2><h2>Third
        one</h2>
      <h3>Small</h3>
      <p>First   paragraph.</p><p>Second<br>line</p>
      <noscript>Enable JS</noscript>
      <template><p>templated</p></template>
      <svg><title>icon</title><text>svg text</text></svg>
      <div>Hel<b>lo</b> world</div>
    </body></html>`);

  test('title, description, canonical, lang', () => {
    assert.equal(page.title, 'The Title');
    assert.equal(page.description, 'A page about things');
    assert.equal(page.canonical, 'https://example.com/canonical?id=7');
    assert.equal(page.lang, 'en-GB');
    assert.equal(page.charset, 'UTF-8');
  });

  test('headings h1–h3, whitespace collapsed, empty ones skipped', () => {
    assert.deepEqual(page.headings, { h1: ['Main heading'], h2: ['Second', 'Third one'], h3: ['Small'] });
  });

  test('visible text excludes head, scripts, styles, noscript, template and svg', () => {
    assert.equal(page.text, 'Main heading Second Third one Small First paragraph. Second line Hello world');
  });

  test('script content is not parsed for links', () => {
    assert.deepEqual(page.links, []);
  });

  test('parseMs is measured', () => {
    assert.ok(page.parseMs > 0);
  });

  test('text is truncated to maxTextChars', () => {
    const long = parse(`<p>${'word '.repeat(1000)}</p>`, {}, { maxTextChars: 12 });
    assert.equal(long.text, 'word word wo');
  });

  test('text is skipped when extract.text is false or maxTextChars is 0', () => {
    assert.equal(parse('<p>hello</p>', {}, { extract: { text: false } }).text, undefined);
    assert.equal(parse('<p>hello</p>', {}, { maxTextChars: 0 }).text, undefined);
  });

  test('a page without <head>/<body> tags still has text and title', () => {
    const bare = parse('<title>T</title><p>Body text');
    assert.equal(bare.title, 'T');
    assert.equal(bare.text, 'Body text');
  });

  test('streaming scan edge cases: empty title, entities split across text events, implied end tags', () => {
    assert.equal(parse('<title></title><title>Second</title>').title, 'Second');
    assert.equal(parse('<title> </title><title>Second</title>').title, '');
    const p = parse('<!doctype html><h1>AT&amp;T &lt;3</h1><p>one<p>two<li>three</ul><h2></h2><h2>x<br>y</h2>');
    assert.deepEqual(p.headings, { h1: ['AT&T <3'], h2: ['x y'], h3: [] });
    assert.equal(p.text, 'AT&T <3 one two three x y');
  });

  test('a non-http canonical is ignored with a warning', () => {
    const p = parse('<link rel="canonical" href="javascript:x">');
    assert.equal(p.canonical, undefined);
    assert.match(p.warnings?.[0] ?? '', /canonical/);
  });
});

describe('parsePage on hostile markup', () => {
  test('50,000 unclosed <div>s neither overflow the stack nor hang', () => {
    const html = `<html><body>${'<div><a href="/x">x</a>'.repeat(50_000)}<h1>deep</h1>`;
    const started = performance.now();
    const page = parse(html);
    // htmlparser2's open-element stack is O(depth) per tag (quadratic overall):
    // ~0.5–4.5 s here. The bound is the default parser.taskTimeoutMs, which
    // is what stops a deeper page in a worker.
    assert.ok(performance.now() - started < 30_000);
    assert.deepEqual(page.links, ['https://example.com/x']);
    assert.deepEqual(page.headings.h1, ['deep']);
    assert.ok(page.text?.startsWith('x x x'));
  });

  test('50,000 nested inline elements and unclosed headings', () => {
    const page = parse(`${'<span><b>'.repeat(25_000)}text<h2>${'<i>'.repeat(10_000)}heading`);
    assert.equal(page.text, 'text heading');
    assert.deepEqual(page.headings.h2, ['heading']);
  });

  test('garbage and unterminated constructs', () => {
    const page = parse('<<a href="/ok">ok</a><!-- never closed <a href="/hidden">h</a> <script>for(;;){}');
    assert.deepEqual(page.links, ['https://example.com/ok']);
  });

  test('empty body', () => {
    const page = parsePage({ url: 'https://example.com/', depth: 0, status: 200, body: new Uint8Array(0) }, compileParseRules(testRules()));
    assert.deepEqual(page.links, []);
    assert.equal(page.title, undefined);
    assert.equal(page.text, '');
  });
});
