/**
 * Proxies for tests, on 127.0.0.1: an HTTP proxy that tunnels CONNECT (what
 * hpagent sends for http and https targets alike) with optional Basic
 * credentials, and a SOCKS5 server (RFC 1928: CONNECT by IPv4, IPv6 or name,
 * with optional username/password auth, RFC 1929). Each logs the targets it
 * was asked for and refuses wrong credentials.
 */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface TestProxy {
  /** `http://127.0.0.1:port` or `socks5://127.0.0.1:port` (without credentials). */
  url: string;
  port: number;
  /** `host:port` of every tunnel opened, in order. */
  targets: string[];
  /** Requests refused for their credentials. */
  refused: number;
  close(): Promise<void>;
}

function track(server: net.Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

/** An HTTP proxy (CONNECT tunnels); with `credentials` ("user:password"), others get 407. */
export async function startHttpProxy(credentials?: string): Promise<TestProxy> {
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  const proxy = { targets: [] as string[], refused: 0 };
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    const expected = credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host = '', port = '80'] = splitHostPort(req.url ?? '');
    proxy.targets.push(`${host}:${port}`);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  });
  const close = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}`, port, close });
}

/** A SOCKS5 server; with `credentials` ("user:password"), username/password auth is required. */
export async function startSocks5Proxy(credentials?: string): Promise<TestProxy> {
  const proxy = { targets: [] as string[], refused: 0 };
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'piped' = 'greeting';
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
          const methods = [...buffer.subarray(2, 2 + buffer[1]!)];
          buffer = buffer.subarray(2 + buffer[1]!);
          const method = credentials === undefined ? 0x00 : 0x02;
          if (!methods.includes(method)) return void client.end(Buffer.from([5, 0xff]));
          client.write(Buffer.from([5, method]));
          stage = method === 0x02 ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (buffer.length < 2) return;
          const userLength = buffer[1]!;
          if (buffer.length < 3 + userLength || buffer.length < 3 + userLength + buffer[2 + userLength]!) return;
          const user = buffer.subarray(2, 2 + userLength).toString();
          const passLength = buffer[2 + userLength]!;
          const pass = buffer.subarray(3 + userLength, 3 + userLength + passLength).toString();
          buffer = buffer.subarray(3 + userLength + passLength);
          if (`${user}:${pass}` !== credentials) {
            proxy.refused++;
            return void client.end(Buffer.from([1, 1]));
          }
          client.write(Buffer.from([1, 0]));
          stage = 'request';
        } else if (stage === 'request') {
          const target = readTarget(buffer);
          if (!target) return;
          buffer = buffer.subarray(target.length);
          stage = 'piped';
          client.off('data', onData);
          proxy.targets.push(`${target.host}:${target.port}`);
          const upstream = net.connect(target.port, target.host, () => {
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            if (buffer.length > 0) upstream.write(buffer);
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
          client.on('error', () => upstream.destroy());
          return;
        } else return;
      }
    };
    client.on('data', onData);
  });
  const close = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { url: `socks5://127.0.0.1:${port}`, port, close });
}

/** A SOCKS5 CONNECT request's target and length, or undefined when incomplete. */
function readTarget(buffer: Buffer): { host: string; port: number; length: number } | undefined {
  if (buffer.length < 5) return undefined;
  const type = buffer[3];
  let host: string;
  let offset: number;
  if (type === 1) {
    if (buffer.length < 10) return undefined;
    host = [...buffer.subarray(4, 8)].join('.');
    offset = 8;
  } else if (type === 3) {
    const length = buffer[4]!;
    if (buffer.length < 5 + length + 2) return undefined;
    host = buffer.subarray(5, 5 + length).toString();
    offset = 5 + length;
  } else if (type === 4) {
    if (buffer.length < 22) return undefined;
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(buffer.readUInt16BE(4 + i).toString(16));
    host = parts.join(':');
    offset = 20;
  } else return undefined;
  return { host, port: buffer.readUInt16BE(offset), length: offset + 2 };
}

function splitHostPort(target: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return match ? [match[1]!, match[2]!] : [target, '80'];
}
