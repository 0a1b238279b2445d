import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockedRangeOf, inNetworks, parseCidr, parseCidrList } from '../../src/fetch/address-ranges.js';

describe('blockedRangeOf', () => {
  const blocked: [string, string][] = [
    ['127.0.0.1', '127.0.0.0/8'],
    ['127.255.255.254', '127.0.0.0/8'],
    ['0.0.0.0', '0.0.0.0/8'],
    ['10.1.2.3', '10.0.0.0/8'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['192.168.0.1', '192.168.0.0/16'],
    ['169.254.169.254', '169.254.0.0/16'],
    ['100.100.100.200', '100.64.0.0/10'],
    ['192.0.0.170', '192.0.0.0/24'],
    ['198.18.0.1', '198.18.0.0/15'],
    ['224.0.0.1', '224.0.0.0/4'],
    ['255.255.255.255', '240.0.0.0/4'],
    ['::', '::/128'],
    ['::1', '::1/128'],
    ['[::1]', '::1/128'],
    ['fd00::5', 'fc00::/7'],
    ['fe80::1', 'fe80::/10'],
    ['ff02::1', 'ff00::/8'],
    ['::ffff:127.0.0.1', '127.0.0.0/8'],
    ['::ffff:a9fe:a9fe', '169.254.0.0/16'],
    ['::ffff:0:a00:1', '10.0.0.0/8'],
    ['64:ff9b::a9fe:a9fe', '169.254.0.0/16'],
    ['2002:c0a8:101::', '192.168.0.0/16'],
    ['::7f00:1', '127.0.0.0/8'],
    ['2001:0:4136:e378::', '2001::/32'],
  ];
  for (const [address, cidr] of blocked) {
    test(`${address} is blocked (${cidr})`, () => assert.equal(blockedRangeOf(address)?.cidr, cidr));
  }

  const allowed = ['8.8.8.8', '192.0.2.10', '198.51.100.7', '203.0.113.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '2001:db8::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::'];
  for (const address of allowed) {
    test(`${address} is not blocked`, () => assert.equal(blockedRangeOf(address), undefined));
  }

  test('a carried IPv4 address is named in the kind', () => {
    assert.equal(blockedRangeOf('::ffff:127.0.0.1')?.kind, 'loopback, IPv4-mapped (127.0.0.1)');
  });

  test('non-addresses (names, non-canonical IPv4) are not judged here', () => {
    assert.equal(blockedRangeOf('localhost'), undefined);
    assert.equal(blockedRangeOf('0x7f.1'), undefined);
  });
});

describe('allow-lists', () => {
  test('CIDR ranges and single addresses; IPv4-mapped forms match the IPv4 range', () => {
    const networks = parseCidrList(['10.20.0.0/16', 'fd00:1::/64', '192.168.1.20']);
    assert.ok(inNetworks('10.20.3.4', networks));
    assert.ok(inNetworks('::ffff:10.20.3.4', networks));
    assert.ok(inNetworks('fd00:1::9', networks));
    assert.ok(inNetworks('192.168.1.20', networks));
    assert.ok(!inNetworks('192.168.1.21', networks));
    assert.ok(!inNetworks('10.21.0.1', networks));
  });

  test('malformed entries are refused', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', '010.0.0.0/8', '0x0a.0.0.0/8', 'fd00::/129', 'example.com', '10.0.0.0/', '10.0.0.0/8/8', '']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
    assert.throws(() => parseCidrList(['10.0.0.0/8', 'nope']), /entry \[1\] "nope" is not a CIDR range/);
  });
});
