/**
 * A private Redis for tests: `REDIS_URL` when set, otherwise a fresh
 * `redis-server` on a free 127.0.0.1 port with no persistence, stopped after.
 * Never the shared Redis on 6379. When there is no redis-server binary the
 * caller gets `{ ok: false, reason }` to skip with; under `CI=true` that is an
 * error instead, so CI can never pass by skipping.
 *
 * A server this helper started can also be paused (SIGSTOP: it keeps its
 * connections open and answers nothing), resumed (SIGCONT) and restarted
 * empty on the same port (what a Redis without persistence does after a
 * crash or a reboot); `owned` tells whether it can (not with REDIS_URL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { crawlKeys, writeShardIdentities } from '../../src/frontier/redis-keys.js';
import { DEFAULT_SHARDS } from '../../src/frontier/redis-codec.js';

export type RedisServer =
  | {
      ok: true;
      url: string;
      /** False for a REDIS_URL server: pause, resume and restart throw. */
      owned: boolean;
      stop(): Promise<void>;
      /** SIGSTOP. */
      pause(): void;
      /** SIGCONT. */
      resume(): void;
      /** Stops it (SIGCONT first if paused) and starts an empty one on the same port. */
      restart(): Promise<void>;
    }
  | { ok: false; reason: string };

const READY_TIMEOUT_MS = 5_000;

/**
 * Gives `crawlId` a fresh identity, on its shards too (as seeding a crawl does), and returns its
 * token: what a test or benchmark driving a RedisFrontier directly passes as
 * `identity`.
 */
export async function newIdentity(redis: Pick<Redis, 'get' | 'set'>, crawlId: string, shards = DEFAULT_SHARDS): Promise<string> {
  const token = randomUUID();
  await redis.set(crawlKeys(crawlId).identity, token);
  await writeShardIdentities(redis, crawlId, token, shards);
  return token;
}

export async function startRedisServer(): Promise<RedisServer> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    const notOwned = () => {
      throw new Error('REDIS_URL is set: this Redis cannot be paused or restarted by the test');
    };
    return { ok: true, url: fromEnv, owned: false, stop: async () => {}, pause: notOwned, resume: notOwned, restart: async () => notOwned() };
  }
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const reason = 'no redis-server binary on PATH and no REDIS_URL';
    if (process.env.CI === 'true') throw new Error(`${reason} (required under CI=true)`);
    return { ok: false, reason };
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnServer(port);
      return {
        ok: true,
        url: `redis://127.0.0.1:${port}`,
        owned: true,
        stop: () => stopChild(child),
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
        async restart() {
          await stopChild(child);
          child = await spawnServer(port);
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`redis-server did not start: ${(lastError as Error).message}`);
}

/** A redis-server without persistence on `port`, once it answers PING. */
async function spawnServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    await waitForPong(port, child);
    return child;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls with PING until +PONG, the process exits, or the bound passes. */
async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited (port ${port})`);
    if (await ping(port)) return;
    await delay(20);
  }
  throw new Error(`no PONG from 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT'); // a paused server handles SIGTERM only once it runs again
  child.kill('SIGTERM');
  await exited;
}
