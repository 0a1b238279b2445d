/**
 * A private Redis for tests: `REDIS_URL` when set, otherwise a fresh
 * `redis-server` on a free 127.0.0.1 port with no persistence, stopped after.
 * Never the shared Redis on 6379. When there is no redis-server binary the
 * caller gets `{ ok: false, reason }` to skip with; under `CI=true` that is an
 * error instead, so CI can never pass by skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export type RedisServer = { ok: true; url: string; stop(): Promise<void> } | { ok: false; reason: string };

const READY_TIMEOUT_MS = 5_000;

export async function startRedisServer(): Promise<RedisServer> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { ok: true, url: fromEnv, stop: async () => {} };
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const reason = 'no redis-server binary on PATH and no REDIS_URL';
    if (process.env.CI === 'true') throw new Error(`${reason} (required under CI=true)`);
    return { ok: false, reason };
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      await waitForPong(port, child);
      return { ok: true, url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
    } catch (error) {
      lastError = error;
      await stopChild(child);
    }
  }
  throw new Error(`redis-server did not start: ${(lastError as Error).message}`);
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
