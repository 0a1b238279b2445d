/**
 * Connections and name lookups for many hosts: idle keep-alive sockets are
 * bounded over all hosts together, and DNS answers are cached (bounded too).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createKeepAliveAgents, type KeepAliveAgents } from '../../src/fetch/keep-alive-agents.js';
import { waitFor } from '../helpers/wait-for.js';

/** `n` loopback addresses that all reach one server (Linux routes 127/8 to loopback). */
const HOSTS = Array.from({ length: 12 }, (_, i) => `127.3.0.${i + 1}`);

function get(url: string, agents: KeepAliveAgents, lookup = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { agent: agents.http, ...(lookup ? { lookup: agents.dns.lookup as unknown as http.RequestOptions['lookup'] } : {}) };
    http
      .get(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('keep-alive agents for many hosts', () => {
  const servers: http.Server[] = [];
  const open = new Set<Socket>();
  let port = 0;
  before(async () => {
    for (const address of HOSTS) {
      const server = http.createServer((req, res) => res.end(`hello from ${req.socket.localAddress}`));
      server.on('connection', (socket) => {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(port, address, resolve));
      port = (server.address() as AddressInfo).port;
      servers.push(server);
    }
  });
  after(async () => {
    for (const socket of open) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  test('keep at most maxIdleSockets idle sockets over all hosts (the longest idle closed first), and reuse a kept one', async () => {
    const agents = createKeepAliveAgents({ maxSocketsPerHost: 8, maxIdleSocketsPerHost: 4, maxIdleSockets: 3, idleTimeoutMs: 30_000 });
    try {
      for (const address of HOSTS) assert.equal(await get(`http://${address}:${port}/`, agents), `hello from ${address}`);
      await waitFor('the sockets beyond the bound to close', () => open.size === 3);
      assert.equal(agents.idleSockets, 3);
      const before = open.size;
      assert.equal(await get(`http://${HOSTS.at(-1)}:${port}/`, agents), `hello from ${HOSTS.at(-1)}`);
      assert.equal(open.size, before, 'the idle socket of the last host was reused');
      assert.equal(agents.idleSockets, 3);
    } finally {
      agents.destroy();
    }
  });

  test('the bound holds when many sockets go idle at once (a broad crawl\'s responses arriving together)', async () => {
    const agents = createKeepAliveAgents({ maxSocketsPerHost: 8, maxIdleSocketsPerHost: 4, maxIdleSockets: 3, idleTimeoutMs: 30_000 });
    try {
      for (let round = 0; round < 3; round++) {
        const bodies = await Promise.all(HOSTS.flatMap((address) => [get(`http://${address}:${port}/`, agents), get(`http://${address}:${port}/`, agents)]));
        assert.equal(bodies.length, 2 * HOSTS.length);
        assert.ok(agents.idleSockets <= 3, `round ${round}: ${agents.idleSockets} idle sockets kept, bound 3`);
      }
      await waitFor('the sockets beyond the bound to close', () => open.size <= 3);
    } finally {
      agents.destroy();
    }
  });

  test('resolve each host name once (cached), at most maxDnsEntries names', async () => {
    const queries: string[] = [];
    const resolver = {
      resolve4: (hostname: string, _options: unknown, callback: (error: Error | null, answers?: unknown[]) => void) => {
        queries.push(hostname);
        callback(null, [{ address: HOSTS[Number(hostname.slice(4, 5))]!, ttl: 300 }]);
      },
      resolve6: (_hostname: string, _options: unknown, callback: (error: Error | null, answers?: unknown[]) => void) => {
        const error = Object.assign(new Error('no AAAA'), { code: 'ENODATA' });
        callback(error);
      },
      getServers: () => [],
      setServers: () => undefined,
    };
    const agents = createKeepAliveAgents({ maxSocketsPerHost: 8, maxIdleSocketsPerHost: 4, maxIdleSockets: 0, idleTimeoutMs: 1_000, maxDnsEntries: 2, resolver: resolver as never });
    try {
      for (const name of ['site0.test', 'site1.test', 'site0.test', 'site1.test', 'site2.test', 'site0.test']) {
        assert.equal(await get(`http://${name}:${port}/`, agents, true), `hello from ${HOSTS[Number(name[4])]}`);
      }
      assert.deepEqual(queries, ['site0.test', 'site1.test', 'site2.test', 'site0.test'], 'cached, and the oldest name evicted past 2');
      assert.equal(agents.idleSockets, 0, 'maxIdleSockets 0: no socket kept');
    } finally {
      agents.destroy();
    }
  });

  test('a name the DNS servers cannot answer for (resolver unreachable) is asked of the system: /etc/hosts answers, no ECONNREFUSED', async () => {
    const unreachable = (_hostname: string, _options: unknown, callback: (error: Error | null) => void) =>
      callback(Object.assign(new Error('queryA ECONNREFUSED localhost'), { code: 'ECONNREFUSED', syscall: 'queryA' }));
    const resolver = { resolve4: unreachable, resolve6: unreachable, getServers: () => [], setServers: () => undefined };
    const agents = createKeepAliveAgents({ maxSocketsPerHost: 8, maxIdleSocketsPerHost: 4, maxIdleSockets: 0, idleTimeoutMs: 1_000, resolver: resolver as never });
    try {
      const address = await new Promise<string>((resolve, reject) =>
        agents.lookup('localhost', { family: 4 }, (error, found) => (error ? reject(error) : resolve(found as string))),
      );
      assert.equal(address, '127.0.0.1');
    } finally {
      agents.destroy();
    }
  });
});
