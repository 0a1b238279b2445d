/**
 * A certificate authority made for one test run with the openssl CLI: its
 * certificate (PEM file), server certificates it signs, and self-signed server
 * certificates no CA vouches for. Everything lives in a temp folder removed by
 * `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** Path of the CA's certificate (PEM). */
  caFile: string;
  /** A key and certificate for `hosts` (names or IPs), signed by the CA. */
  serverCert(hosts: string[]): Promise<{ key: string; cert: string }>;
  /** A self-signed key and certificate for `hosts`: no CA vouches for it. */
  selfSigned(hosts: string[]): Promise<{ key: string; cert: string }>;
  dir: string;
  remove(): Promise<void>;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const altNames = (hosts: string[]): string => hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');

export async function createTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-ca-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=skein test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  const read = async (name: string): Promise<{ key: string; cert: string }> => ({ key: await readFile(join(dir, `${name}.key`), 'utf8'), cert: await readFile(join(dir, `${name}.pem`), 'utf8') });
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    async serverCert(hosts) {
      const name = `server-${++n}`;
      openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${hosts[0]}`]);
      await writeFile(join(dir, `${name}.ext`), `subjectAltName=${altNames(hosts)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
      return read(name);
    },
    async selfSigned(hosts) {
      const name = `self-${++n}`;
      openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${altNames(hosts)}`]);
      return read(name);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TestHttpsSite {
  /** `https://<host>:<port>` */
  url: string;
  /** Paths requested, in order. */
  log: string[];
  close(): Promise<void>;
}

/**
 * An HTTPS server on `address` (a loopback address) answering `pages` (path → HTML; robots.txt
 * is a 404, anything else too). `host` names it in `url` (default: the address).
 */
export async function startHttpsSite(credentials: { key: string; cert: string }, pages: Record<string, string>, address = '127.0.0.1', host = address): Promise<TestHttpsSite> {
  const log: string[] = [];
  const server = https.createServer(credentials, (req, res) => {
    log.push(req.url ?? '');
    const body = pages[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    url: `https://${host}:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
