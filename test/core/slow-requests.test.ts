/**
 * fetch.slowRequestMs: requests that hang stop holding the crawl's slots. A local server holds
 * its two /hang pages until every /p page has been asked for; the crawl has 2 slots, and the
 * /hang pages are leased first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';

const PAGES = 8;

interface HangServer {
  url: string;
  /** Most requests the server had open at once. */
  mostOpen: () => number;
  reset: () => void;
  close: () => Promise<void>;
}

async function startHangServer(): Promise<HangServer> {
  let open = 0;
  let mostOpen = 0;
  let asked = new Set<string>();
  let held: Array<() => void> = [];
  const html = (body: string) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;
  const server: Server = createServer((req, res) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    res.on('close', () => open--);
    const path = req.url ?? "/";
    const answer = () => res.writeHead(200, { 'content-type': 'text/html' }).end(html(path));
    if (path === '/') {
      const links = ['/hang/1', '/hang/2', ...Array.from({ length: PAGES }, (_, i) => `/p/${i + 1}`)];
      res.writeHead(200, { 'content-type': 'text/html' }).end(html(links.map((l) => `<a href="${l}">${l}</a>`).join('')));
    } else if (path.startsWith('/hang/')) {
      held.push(answer);
      // A failsafe far past the crawl's response timeout, so that the server never keeps a request.
      setTimeout(answer, 8_000).unref();
    } else if (path.startsWith('/p/')) {
      asked.add(path);
      answer();
      if (asked.size === PAGES) for (const release of held.splice(0)) release();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mostOpen: () => mostOpen,
    reset: () => {
      mostOpen = 0;
      asked = new Set();
      held = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

describe('fetch.slowRequestMs', () => {
  let server: HangServer;
  const newDir = tempDirs('skein-slow-');
  before(async () => (server = await startHangServer()));
  after(() => server.close());

  const crawl = async (slowRequestMs: number) => {
    server.reset();
    const config = testConfig(await newDir(), {
      seeds: [server.url + '/'],
      parser: { workers: 1 },
      fetch: { concurrency: 2, perHostParallelism: 8, slowRequestMs, retries: 0, timeouts: { responseMs: 2_000, requestMs: 4_000 } },
    });
    return runCrawl(config);
  };

  test('requests that hang make room for others, up to as many again', async () => {
    const { records } = await crawl(200);
    const outcomes = [...records.values()].map((r) => `${new URL(r.url).pathname} ${r.outcome}`).sort();
    assert.equal(records.size, 2 + PAGES + 1);
    assert.deepEqual(
      outcomes.filter((o) => !o.endsWith(' ok')),
      [],
      'the /p pages went while the /hang pages waited, so the server answered the /hang pages in time',
    );
    assert.ok(server.mostOpen() <= 4, `at most twice fetch.concurrency open at once (saw ${server.mostOpen()})`);
  });

  test('0 turns it off: the hanging requests keep both slots until they time out', async () => {
    const { records } = await crawl(0);
    const hang = [...records.values()].filter((r) => r.url.includes('/hang/'));
    assert.deepEqual(
      hang.map((r) => r.outcome),
      ['failed', 'failed'],
    );
    assert.ok(server.mostOpen() <= 2, `at most fetch.concurrency open at once (saw ${server.mostOpen()})`);
  });
});
