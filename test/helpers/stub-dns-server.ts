/**
 * A DNS server for tests (UDP, A and AAAA only): answers each query from a
 * function of the name, the type and how many times that name and type were
 * asked, so a test can make a name rebind (a public answer first, a private one
 * next) with TTL 0 so that no cache keeps the first answer. Used inside a
 * private network namespace whose /etc/resolv.conf points at it, so the
 * crawler's own resolver (c-ares via cacheable-lookup) asks it for real.
 */
import dgram from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export type DnsAnswer = (name: string, type: 'A' | 'AAAA', askedBefore: number) => string[] | undefined;

export interface StubDns {
  /** Queries received, as `name type`. */
  readonly queries: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** Starts the server on `address:port`; `answer` returns the addresses (none: NOERROR/NODATA), or undefined for NXDOMAIN. */
export async function startStubDns(address: string, port: number, answer: DnsAnswer): Promise<StubDns> {
  const socket = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  const asked = new Map<string, number>();
  const queries: string[] = [];
  socket.on('message', (message, peer) => {
    const question = readQuestion(message);
    if (!question) return;
    const type = question.type === TYPE_A ? 'A' : question.type === TYPE_AAAA ? 'AAAA' : undefined;
    const key = `${question.name} ${type ?? question.type}`;
    const before = asked.get(key) ?? 0;
    asked.set(key, before + 1);
    queries.push(key);
    const addresses = type ? answer(question.name, type, before) : [];
    socket.send(reply(message, question.end, type, addresses), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return { queries, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function readQuestion(message: Buffer): { name: string; type: number; end: number } | undefined {
  if (message.length < 17) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return undefined;
    offset++;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString('latin1'));
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(offset), end: offset + 4 };
}

function reply(query: Buffer, questionEnd: number, type: 'A' | 'AAAA' | undefined, addresses: string[] | undefined): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR, opcode 0, RD copied, RA; rcode 0 (NOERROR) or 3 (NXDOMAIN).
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (addresses === undefined ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  const records = (addresses ?? []).filter((a) => (type === 'A' ? isIPv4(a) : isIPv6(a))).map((a) => record(type!, a));
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

function record(type: 'A' | 'AAAA', address: string): Buffer {
  const data = type === 'A' ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(type === 'A' ? TYPE_A : TYPE_AAAA, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(0, 6); // TTL 0: nobody caches it
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}
