/**
 * Charsets as browsers decode them, through a whole crawl against a local
 * server: a `<meta charset>` past the first 1024 bytes re-decodes the page,
 * and a byte order mark beats the Content-Type charset.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { runCrawl, tempDirs, testConfig, type CrawlRun } from '../helpers/crawl-helpers.js';

/** `text` with each `\xNN` kept as that byte (Latin-1), so pages can hold windows-1252 and Shift_JIS bytes. */
const raw = (text: string): Buffer => Buffer.from(text, 'latin1');
/** Head padding that pushes what follows past the 1024 bytes of the meta prescan. */
const PADDING = `<!-- ${'-'.repeat(1200)} -->`;
const lateMeta = (charset: string, title: string) => raw(`<!doctype html><html><head>${PADDING}<meta charset="${charset}"><title>${title}</title></head><body><p>${title}</p></body></html>`);

describe('charsets in a crawl', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let run: CrawlRun;
  before(async () => {
    site = await startScriptedSite({
      '/': { body: htmlPage('home', ['/late-1252', '/late-sjis', '/bom']) },
      '/late-1252': { type: 'text/html', body: lateMeta('windows-1252', 'Caf\xe9 cr\xe8me \x80') },
      '/late-sjis': { type: 'text/html', body: lateMeta('shift_jis', '\x93\xfa\x96\x7b') },
      '/bom': { type: 'text/html; charset=iso-8859-1', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(htmlPage('Café'))]) },
    });
    run = await runCrawl(testConfig(await newDir(), { seeds: [`${site.url}/`], parser: { workers: 1 } }));
  });
  after(() => site.close());

  const record = (path: string) => {
    const found = run.records.get(`${site.url}${path}`);
    assert.ok(found, `${path} stored`);
    assert.equal(found.outcome, 'ok');
    return found;
  };

  test('a windows-1252 page declared after the first 1024 bytes', () => {
    const page = record('/late-1252');
    assert.equal(page.title, 'Café crème €');
    assert.equal(page.charset, 'windows-1252');
  });

  test('a Shift_JIS page declared after the first 1024 bytes', () => {
    const page = record('/late-sjis');
    assert.equal(page.title, '日本');
    assert.equal(page.charset, 'Shift_JIS');
  });

  test('a UTF-8 BOM wins over a Content-Type charset', () => {
    const page = record('/bom');
    assert.equal(page.title, 'Café');
    assert.equal(page.charset, 'UTF-8');
  });
});
