/**
 * Extraction config errors at start-up: validateConfig names the exact rule
 * and field for bad selectors, regexes, URL patterns and rule shapes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const cases: Array<{ name: string; extract: unknown; field: string; message: RegExp }> = [
  {
    name: 'invalid selector in a rule',
    extract: { rules: [{ urls: ['**/p/**'], fields: { a: '.a' } }, { fields: { price: { selector: 'div[' } } }] },
    field: 'extract.rules[1].fields.price.selector',
    message: /^extract\.rules\[1\]\.fields\.price\.selector: invalid CSS selector "div\[" \(/,
  },
  { name: 'shorthand selector', extract: { fields: { title: 'h1:nope' } }, field: 'extract.fields.title.selector', message: /invalid CSS selector "h1:nope" \(Unknown pseudo-class :nope\)/ },
  {
    name: 'invalid selector in a nested sub-field',
    extract: { fields: { reviews: { selector: '.r', all: true, fields: { author: { selector: 'a,,b' } } } } },
    field: 'extract.fields.reviews.fields.author.selector',
    message: /invalid CSS selector "a,,b"/,
  },
  {
    name: 'invalid regex',
    extract: { rules: [{ fields: { sku: { selector: '.sku', process: ['trim', { regex: '(unclosed' }] } } }] },
    field: 'extract.rules[0].fields.sku.process[1].regex',
    message: /invalid regular expression "\(unclosed"/,
  },
  { name: 'regex group out of range', extract: { fields: { a: { selector: 'p', process: [{ regex: 'a(b)', group: 2 }] } } }, field: 'extract.fields.a.process[0].group', message: /group 2 does not exist/ },
  { name: 'unknown named group', extract: { fields: { a: { selector: 'p', process: [{ regex: 'a(?<x>b)', group: 'y' }] } } }, field: 'extract.fields.a.process[0].group', message: /no named group "y"/ },
  { name: 'invalid follow selector', extract: { rules: [{ follow: { selectors: ['a', '>>'] } }] }, field: 'extract.rules[0].follow.selectors[1]', message: /invalid CSS selector ">>"/ },
  { name: 'invalid URL pattern', extract: { rules: [{ urls: ['/(x/'], fields: {} }] }, field: 'extract.rules[0].urls[0]', message: /invalid regular expression/ },
  { name: 'take attr without attr', extract: { fields: { a: { selector: 'a', take: 'attr' } } }, field: 'extract.fields.a.attr', message: /expected an attribute name/ },
  { name: 'attr with take text', extract: { fields: { a: { selector: 'a', take: 'text', attr: 'href' } } }, field: 'extract.fields.a.attr', message: /only used with take "attr"/ },
  { name: 'sub-fields and take', extract: { fields: { a: { selector: 'a', take: 'html', fields: { b: 'b' } } } }, field: 'extract.fields.a.take', message: /sub-fields takes nothing itself/ },
  { name: 'unknown rule key', extract: { fields: { a: { selecter: 'a' } } }, field: 'extract.fields.a', message: /Unrecognized key: "selecter"/ },
  { name: 'bad take value', extract: { fields: { a: { selector: 'a', take: 'texts' } } }, field: 'extract.fields.a', message: /take: .*"text"\|"html"\|"outerHtml"\|"attr"/ },
  { name: 'bad post-processing step', extract: { fields: { a: { selector: 'a', process: ['numbr'] } } }, field: 'extract.fields.a', message: /process\.0: expected "trim", "number", "date", "url"/ },
  { name: 'a number is not a rule', extract: { fields: { a: 5 } }, field: 'extract.fields.a', message: /expected a CSS selector string or a rule object/ },
  { name: 'field name with a dot', extract: { fields: { 'a.b': 'p' } }, field: 'extract.fields.a.b', message: /invalid field name "a\.b"/ },
  { name: 'empty selector', extract: { fields: { a: '  ' } }, field: 'extract.fields.a', message: /expected a CSS selector/ },
  { name: 'unknown builtin', extract: { builtins: { jsonld: true } }, field: 'extract.builtins', message: /unknown option "jsonld"/ },
  { name: 'invalid content include selector', extract: { content: { enabled: true, include: ['article', 'div[data-x'] } }, field: 'extract.content.include[1]', message: /invalid CSS selector "div\[data-x"/ },
  { name: 'invalid content exclude selector', extract: { content: { exclude: ['.ad:unknown'] } }, field: 'extract.content.exclude[0]', message: /invalid CSS selector ".ad:unknown" \(Unknown pseudo-class :unknown\)/ },
  { name: 'empty content selector', extract: { content: { exclude: [' '] } }, field: 'extract.content.exclude[0]', message: /expected a CSS selector/ },
  { name: 'unknown content mode', extract: { content: { mode: 'article' } }, field: 'extract.content.mode', message: /expected one of "main", "full", got "article"/ },
  { name: 'negative content minChars', extract: { content: { minChars: -1 } }, field: 'extract.content.minChars', message: /expected a number >= 0, got -1/ },
];

describe('extraction config errors name the rule and field', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => validateConfig({ seeds: ['https://example.com/'], extract: c.extract }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `ConfigError, got ${String(error)}`);
          assert.equal(error.field, c.field);
          assert.match(error.message, c.message);
          return true;
        },
      );
    });
  }

  test('a valid config with every rule kind passes and keeps the rules as written', () => {
    const config = validateConfig({
      seeds: ['https://example.com/'],
      extract: {
        fields: { title: 'h1' },
        rules: [{ name: 'p', urls: ['**/p/**'], fields: { price: { selector: '.p', process: [{ number: { decimal: ',' } }], required: true } }, follow: { selectors: ['a.next'] } }],
        builtins: { jsonLd: true },
        follow: { selectors: ['nav a'] },
      },
    });
    assert.equal(config.extract.rules[0]!.name, 'p');
    assert.deepEqual(config.extract.fields, { title: 'h1' });
    assert.equal(config.extract.builtins.jsonLd, true);
    assert.equal(config.extract.builtins.microdata, false);
  });
});
