/**
 * A private Redis Cluster for tests and benchmarks: `masters` redis-server
 * processes with `--cluster-enabled yes` on free 127.0.0.1 ports, joined with
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, ready once
 * every node reports `cluster_state:ok`. AOF on by default, so a master
 * restarted on its port comes back with its keys and its slots (nodes.conf).
 * Without redis-server or redis-cli: `{ ok: false, reason }` to skip with (an
 * error under CI=true). Never touches the shared Redis on 6379.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { stopChild } from './redis-server.js';

export interface ClusterNodeProcess {
  port: number;
  url: string;
  /** SIGTERM (an AOF master writes its file), then the same server again on the same port and dir. */
  restart(): Promise<void>;
  /** A client of this node alone (the caller quits it). */
  client(): Redis;
}

export type RedisClusterServer =
  | {
      ok: true;
      /** Every node's URL, comma-separated: what `--redis` takes for a cluster. */
      url: string;
      nodes: ClusterNodeProcess[];
      stop(): Promise<void>;
    }
  | { ok: false; reason: string };

const READY_TIMEOUT_MS = 30_000;

export async function startRedisCluster(options: { masters?: number; appendonly?: boolean } = {}): Promise<RedisClusterServer> {
  const masters = options.masters ?? 3;
  for (const tool of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      const reason = `no ${tool} binary on PATH (a Redis Cluster needs redis-server and redis-cli)`;
      if (process.env.CI === 'true') throw new Error(`${reason} (required under CI=true)`);
      return { ok: false, reason };
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'skein-cluster-'));
  const children = new Map<number, ChildProcess>();
  const ports: number[] = [];
  const start = async (port: number) => {
    const nodeDir = join(dir, String(port));
    await mkdir(nodeDir, { recursive: true });
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
        '--dir', nodeDir, '--save', '', '--appendonly', options.appendonly === false ? 'no' : 'yes', '--appendfsync', 'everysec', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.set(port, child);
    await waitForPong(port, child);
  };
  const stopAll = async () => {
    await Promise.all([...children.values()].map(stopChild));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort(ports);
      ports.push(port);
      await start(port);
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: READY_TIMEOUT_MS });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await waitForClusterOk(ports);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const nodes = ports.map((port): ClusterNodeProcess => ({
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stopChild(children.get(port)!);
      await start(port);
      await waitForClusterOk(ports);
    },
    client: () => new Redis({ port, host: '127.0.0.1', lazyConnect: false }),
  }));
  return { ok: true, url: nodes.map((n) => n.url).join(','), nodes, stop: stopAll };
}

/** Polls CLUSTER INFO on every node until each says cluster_state:ok. */
async function waitForClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const port of ports) {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    try {
      for (;;) {
        const info = await client.cluster('INFO').catch(() => '');
        if (/cluster_state:ok/.test(String(info))) break;
        if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} not ok within ${READY_TIMEOUT_MS} ms: ${String(info).split('\n')[0]}`);
        await delay(100);
      }
    } finally {
      client.disconnect();
    }
  }
}

/** A free port, not one of `taken`, with the port + 10000 (the cluster bus) free as well. */
async function freePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await listenFree(0);
    if (port + 10_000 > 65_535 || taken.includes(port)) continue;
    if ((await listenFree(port + 10_000).catch(() => 0)) !== 0) return port;
  }
}

async function listenFree(port: number): Promise<number> {
  const server = net.createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return bound;
}

async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited (port ${port})`);
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    client.on('error', () => undefined);
    const ok = await client.connect().then(() => client.ping()).then((r) => r === 'PONG', () => false);
    client.disconnect();
    if (ok) return;
    await delay(30);
  }
  throw new Error(`no PONG from 127.0.0.1:${port}`);
}
