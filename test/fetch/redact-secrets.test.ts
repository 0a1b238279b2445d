import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { holdsOnlyEnvRefs, redactConfig, redactedPaths, redactUrlCredentials, resolveEnvRefs, restoreRedacted, SecretRedactor, withoutRedactedValues } from '../../src/fetch/redact-secrets.js';
import { compileHostHeaders } from '../../src/fetch/host-headers.js';
import { ConfigError } from '../../src/core/errors.js';

describe('redactConfig', () => {
  test('secret header values and URL credentials are replaced; env references and plain headers are kept', () => {
    const config = {
      seeds: ['https://example.com/'],
      fetch: {
        headers: { Authorization: 'Bearer abc123', 'Accept-Language': 'de', 'X-Token': '${env:TOKEN}', 'X-Mixed': 'abc${env:TOKEN}' },
        hostHeaders: { 'api.example.com': { Authorization: 'Bearer ${env:API}', Cookie: 'sid=1' } },
        proxy: ['http://user:pw@proxy:3128', 'socks5://127.0.0.1:1080', 'http://${env:U}:${env:P}@p2:8080'],
      },
    };
    const stored = redactConfig(config);
    assert.deepEqual(stored.fetch.headers, { Authorization: '[redacted]', 'Accept-Language': 'de', 'X-Token': '${env:TOKEN}', 'X-Mixed': '[redacted]' });
    assert.deepEqual(stored.fetch.hostHeaders, { 'api.example.com': { Authorization: 'Bearer ${env:API}', Cookie: '[redacted]' } });
    assert.deepEqual(stored.fetch.proxy, ['http://[redacted]@proxy:3128', 'socks5://127.0.0.1:1080', 'http://${env:U}:${env:P}@p2:8080']);
    assert.equal(config.fetch.headers.Authorization, 'Bearer abc123', 'the original is untouched');
    assert.deepEqual(redactedPaths(stored), ['fetch.headers.Authorization', 'fetch.headers.X-Mixed', 'fetch.hostHeaders.api.example.com.Cookie', 'fetch.proxy[0]']);
  });

  test('a joining node fills the placeholders from its own config; a replay drops them', () => {
    const shared = redactConfig({ fetch: { headers: { Authorization: 'x', Accept: 'text/html' }, proxy: 'http://u:p@h:1' } }).fetch;
    assert.deepEqual(restoreRedacted(shared, { headers: { authorization: 'mine' }, proxy: 'http://me:pw@h:1' }), { headers: { Authorization: 'mine', Accept: 'text/html' }, proxy: 'http://me:pw@h:1' });
    assert.deepEqual(restoreRedacted(shared, {}), shared);
    assert.deepEqual(withoutRedactedValues({ fetch: shared }), { fetch: { headers: { Accept: 'text/html' } } });
  });

  test('env references: only the scheme word may stand beside them', () => {
    assert.ok(holdsOnlyEnvRefs('${env:A}'));
    assert.ok(holdsOnlyEnvRefs('Bearer ${env:A}'));
    assert.ok(!holdsOnlyEnvRefs('Bearer'));
    assert.ok(!holdsOnlyEnvRefs('Bearer x${env:A}'));
    assert.equal(resolveEnvRefs('Bearer ${env:A}', { A: 's3' }, 'f'), 'Bearer s3');
    assert.throws(() => resolveEnvRefs('${env:NOPE}', {}, 'fetch.headers.X'), (error: unknown) => error instanceof ConfigError && /NOPE/.test(error.message));
  });

  test('URL credentials', () => {
    assert.equal(redactUrlCredentials('http://u:p@h:1/'), 'http://[redacted]@h:1/');
    assert.equal(redactUrlCredentials('socks5://token@h:1'), 'socks5://[redacted]@h:1');
    assert.equal(redactUrlCredentials('http://h/a@b'), 'http://h/a@b');
    assert.equal(redactUrlCredentials('not a url'), 'not a url');
  });
});

describe('SecretRedactor', () => {
  const redactor = SecretRedactor.fromConfig(
    { headers: { 'X-Api-Key': 'k-123456', Accept: 'text/html' }, hostHeaders: { h: { Authorization: 'Bearer ${env:T}' } }, proxy: 'http://user:p%40ss@proxy:1' },
    { T: 'tok-98765' },
  );

  test('scrubs every secret from text, the credential alone too', () => {
    assert.equal(redactor.text('sent k-123456 and Bearer tok-98765, then tok-98765; proxy p@ss, p%40ss'), 'sent [redacted] and [redacted], then [redacted]; proxy [redacted], [redacted]');
    assert.equal(redactor.text('text/html stays'), 'text/html stays');
  });

  test('request headers for storage (WARC): credentials and configured secret headers replaced', () => {
    assert.deepEqual(redactor.requestHeaders({ authorization: 'Basic zzz', cookie: 'a=b', 'x-api-key': 'k-123456', accept: 'text/html', 'x-other': 'has k-123456 inside' }), {
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      accept: 'text/html',
      'x-other': 'has [redacted] inside',
    });
  });
});

describe('host headers', () => {
  test('exact hosts and *.suffix patterns, env references resolved', () => {
    const headersFor = compileHostHeaders({ 'api.example.com': { Authorization: 'Bearer ${env:T}' }, '*.example.com': { 'X-Site': '1' } }, { T: 'tok' });
    assert.deepEqual(headersFor('API.example.com'), { 'x-site': '1', authorization: 'Bearer tok' });
    assert.deepEqual(headersFor('www.example.com'), { 'x-site': '1' });
    assert.equal(headersFor('example.com'), undefined);
    assert.equal(headersFor('other.org'), undefined);
  });
});
