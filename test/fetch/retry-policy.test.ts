import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReasonCode } from '../../src/core/types.js';
import { isRetryable, parseHttpDate, parseRetryAfter, retryDecision, retryDelayMs, type RetryInput } from '../../src/fetch/retry-policy.js';

const NOW_MS = Date.UTC(2025, 5, 15, 12, 0, 0); // Sun, 15 Jun 2025 12:00:00 GMT

describe('parseRetryAfter', () => {
  const cases: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['86400', 86_400_000],
    ['-5', undefined],
    ['1.5', undefined],
    ['+3', undefined],
    ['soon', undefined],
    ['120 seconds', undefined],
    ['0x10', undefined],
    ['Sun, 15 Jun 2025 12:00:30 GMT', 30_000],
    ['sun, 15 jun 2025 12:02:00 gmt', 120_000],
    ['Sun, 15 Jun 2025 11:00:00 GMT', 0], // past → 0
    ['Sun, 06 Nov 1994 08:49:37 GMT', 0],
    ['Sunday, 15-Jun-25 12:00:10 GMT', 10_000], // RFC 850
    ['Sun Jun 15 12:01:00 2025', 60_000], // asctime
    ['Sun Jun  1 12:00:00 2025', 0], // asctime, single-digit day, past
    ['Sun, 15 Jun 2025 12:00:30 PST', undefined], // only GMT is valid
    ['Sun, 31 Feb 2025 12:00:30 GMT', undefined],
    ['Sun, 15 Foo 2025 12:00:30 GMT', undefined],
    ['Sun, 15 Jun 2025 25:00:30 GMT', undefined],
    ['2025-06-15T12:00:30Z', undefined], // ISO is not an HTTP-date
    ['1', 1_000], // not read as a year
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(parseRetryAfter(value, NOW_MS), expected);
    });
  }

  test('RFC 850 two-digit years more than 50 years ahead are in the past century', () => {
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW_MS), Date.UTC(1994, 10, 6, 8, 49, 37));
    assert.equal(parseHttpDate('Monday, 06-Nov-34 08:49:37 GMT', NOW_MS), Date.UTC(2034, 10, 6, 8, 49, 37));
  });
});

describe('retryDecision', () => {
  const base = { attempt: 0, maxRetries: 2, maxDelayMs: 60_000 } satisfies Partial<RetryInput>;
  const cases: Array<{ name: string; input: Partial<RetryInput> & { reason: ReasonCode }; expected: { retry: boolean; delayMs: number; backoffHost: boolean; reason?: 'retry-after-too-long' } }> = [
    { name: 'timeout, first failure', input: { reason: 'timeout' }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: 'connection, second failure doubles', input: { reason: 'connection', attempt: 1 }, expected: { retry: true, delayMs: 2_000, backoffHost: false } },
    { name: 'retries exhausted', input: { reason: 'timeout', attempt: 2 }, expected: { retry: false, delayMs: 4_000, backoffHost: false } },
    { name: 'maxRetries 0 never retries', input: { reason: 'timeout', maxRetries: 0 }, expected: { retry: false, delayMs: 1_000, backoffHost: false } },
    { name: '408', input: { reason: 'http-error', status: 408 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '425', input: { reason: 'http-error', status: 425 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '429 with Retry-After', input: { reason: 'http-error', status: 429, retryAfterMs: 7_000 }, expected: { retry: true, delayMs: 7_000, backoffHost: true } },
    { name: '429 without Retry-After backs off exponentially', input: { reason: 'http-error', status: 429, attempt: 1 }, expected: { retry: true, delayMs: 2_000, backoffHost: true } },
    { name: '429 exhausted still backs the host off', input: { reason: 'http-error', status: 429, attempt: 2, retryAfterMs: 30_000 }, expected: { retry: false, delayMs: 30_000, backoffHost: true } },
    { name: '503 Retry-After capped', input: { reason: 'http-error', status: 503, retryAfterMs: 3_600_000 }, expected: { retry: true, delayMs: 60_000, backoffHost: true } },
    { name: '500', input: { reason: 'http-error', status: 500 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '502', input: { reason: 'http-error', status: 502 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '504', input: { reason: 'http-error', status: 504 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '522', input: { reason: 'http-error', status: 522 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '524', input: { reason: 'http-error', status: 524 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: '404', input: { reason: 'http-error', status: 404 }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: '403 with Retry-After', input: { reason: 'http-error', status: 403, retryAfterMs: 5_000 }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: '410', input: { reason: 'http-error', status: 410 }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: '501', input: { reason: 'http-error', status: 501 }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'http-error without status', input: { reason: 'http-error' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'body-too-large', input: { reason: 'body-too-large' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'redirect-loop', input: { reason: 'redirect-loop' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'redirect-offsite', input: { reason: 'redirect-offsite' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'redirect-scheme', input: { reason: 'redirect-scheme' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'too-many-redirects', input: { reason: 'too-many-redirects' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'content-type', input: { reason: 'content-type' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'decompression', input: { reason: 'decompression' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'aborted', input: { reason: 'aborted' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'certificate error is not retried', input: { reason: 'connection', code: 'CERT_HAS_EXPIRED' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'self-signed certificate is not retried', input: { reason: 'connection', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, expected: { retry: false, delayMs: 0, backoffHost: false } },
    { name: 'ECONNRESET is retried', input: { reason: 'connection', code: 'ECONNRESET' }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: 'custom base delay', input: { reason: 'timeout', attempt: 2, maxRetries: 5, baseDelayMs: 250 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: 'exponential capped', input: { reason: 'timeout', attempt: 9, maxRetries: 10 }, expected: { retry: true, delayMs: 60_000, backoffHost: false } },
    { name: 'huge attempt stays finite and capped', input: { reason: 'timeout', attempt: 5000, maxRetries: 10_000 }, expected: { retry: true, delayMs: 60_000, backoffHost: false } },
    { name: 'Retry-After 0', input: { reason: 'http-error', status: 503, retryAfterMs: 0 }, expected: { retry: true, delayMs: 0, backoffHost: true } },
    { name: 'jitter low end', input: { reason: 'timeout', random: 0 }, expected: { retry: true, delayMs: 750, backoffHost: false } },
    { name: 'jitter middle', input: { reason: 'timeout', random: 0.5 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
    { name: 'jitter high end', input: { reason: 'timeout', attempt: 1, random: 0.999 }, expected: { retry: true, delayMs: 2_499, backoffHost: false } },
    { name: 'jitter never passes the cap', input: { reason: 'timeout', attempt: 8, random: 0.99, maxRetries: 10 }, expected: { retry: true, delayMs: 60_000, backoffHost: false } },
    { name: 'jitter does not shorten Retry-After', input: { reason: 'http-error', status: 429, retryAfterMs: 10_000, random: 0 }, expected: { retry: true, delayMs: 10_000, backoffHost: true } },
    // Retry-After over maxRetryAfterMs: the URL fails at once, its host backs off exponentially in its failures, at most the cap.
    ...retryAfterCapCases(),
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => {
      assert.deepEqual(retryDecision({ ...base, ...input }), expected);
    });
  }

  function retryAfterCapCases(): typeof cases {
    const cap = { maxRetryAfterMs: 30_000 };
    const day = 86_400_000;
    const tooLong = 'retry-after-too-long' as const;
    return [
      { name: '503 Retry-After a day: fails at once, host backs off 1 s', input: { reason: 'http-error', status: 503, retryAfterMs: day, ...cap }, expected: { retry: false, delayMs: 1_000, backoffHost: true, reason: tooLong } },
      { name: '429 Retry-After too long after 3 host failures: 8 s', input: { reason: 'http-error', status: 429, retryAfterMs: day, hostFailures: 3, ...cap }, expected: { retry: false, delayMs: 8_000, backoffHost: true, reason: tooLong } },
      { name: 'host backoff for a too-long Retry-After never passes maxRetryAfterMs', input: { reason: 'http-error', status: 503, retryAfterMs: day, hostFailures: 9, ...cap }, expected: { retry: false, delayMs: 30_000, backoffHost: true, reason: tooLong } },
      { name: '...nor maxDelayMs', input: { reason: 'http-error', status: 503, retryAfterMs: day, hostFailures: 9, maxRetryAfterMs: 600_000 }, expected: { retry: false, delayMs: 60_000, backoffHost: true, reason: tooLong } },
      { name: 'too-long Retry-After on a 500: fails at once, no host backoff', input: { reason: 'http-error', status: 500, retryAfterMs: day, ...cap }, expected: { retry: false, delayMs: 0, backoffHost: false, reason: tooLong } },
      { name: 'HTTP-date a minute away, cap 30 s: too long', input: { reason: 'http-error', status: 503, retryAfterMs: 60_000, attempt: 1, ...cap }, expected: { retry: false, delayMs: 1_000, backoffHost: true, reason: tooLong } },
      { name: 'Retry-After equal to the cap is honoured', input: { reason: 'http-error', status: 503, retryAfterMs: 30_000, ...cap }, expected: { retry: true, delayMs: 30_000, backoffHost: true } },
      { name: 'Retry-After under the cap is honoured', input: { reason: 'http-error', status: 429, retryAfterMs: 2_000, hostFailures: 5, ...cap }, expected: { retry: true, delayMs: 2_000, backoffHost: true } },
      { name: 'too-long Retry-After on a 404 is ignored', input: { reason: 'http-error', status: 404, retryAfterMs: day, ...cap }, expected: { retry: false, delayMs: 0, backoffHost: false } },
      { name: 'maxRetryAfterMs 0 fails any positive Retry-After', input: { reason: 'http-error', status: 429, retryAfterMs: 1_000, maxRetryAfterMs: 0 }, expected: { retry: false, delayMs: 0, backoffHost: true, reason: tooLong } },
    ];
  }

  test('is pure: same input, same output', () => {
    const input: RetryInput = { ...base, reason: 'timeout', attempt: 1, random: 0.3 };
    assert.deepEqual(retryDecision(input), retryDecision({ ...input }));
    assert.equal(retryDelayMs(input), retryDelayMs(input));
  });

  test('isRetryable ignores the attempt count', () => {
    assert.equal(isRetryable('http-error', 503), true);
    assert.equal(isRetryable('http-error', 404), false);
    assert.equal(isRetryable('timeout'), true);
  });
});

describe('retryDecision: a host that cannot be reached on first contact', () => {
  const base = { maxRetries: 2, maxDelayMs: 60_000, reason: 'connection' } satisfies Partial<RetryInput>;
  const cases: Array<{ name: string; input: Partial<RetryInput>; expected: ReturnType<typeof retryDecision> }> = [
    { name: 'ENOTFOUND: one retry after 1 s', input: { code: 'ENOTFOUND', firstContact: true, attempt: 0 }, expected: { retry: true, delayMs: 1_000, backoffHost: false, hostUnreachable: true } },
    { name: 'ENOTFOUND again: give the host up', input: { code: 'ENOTFOUND', firstContact: true, attempt: 1 }, expected: { retry: false, delayMs: 0, backoffHost: false, hostUnreachable: true, giveUpHost: true } },
    { name: 'EAI_AGAIN: one retry', input: { code: 'EAI_AGAIN', firstContact: true, attempt: 0 }, expected: { retry: true, delayMs: 1_000, backoffHost: false, hostUnreachable: true } },
    { name: 'ECONNREFUSED with retries 0: give up at once', input: { code: 'ECONNREFUSED', firstContact: true, attempt: 0, maxRetries: 0 }, expected: { retry: false, delayMs: 0, backoffHost: false, hostUnreachable: true, giveUpHost: true } },
    { name: 'a host that answered before: the usual backoff', input: { code: 'ECONNREFUSED', firstContact: false, attempt: 1 }, expected: { retry: true, delayMs: 2_000, backoffHost: false } },
    { name: 'a timeout on first contact (nothing answered): one retry after 1 s', input: { reason: 'timeout', code: 'ETIMEDOUT', firstContact: true, attempt: 0 }, expected: { retry: true, delayMs: 1_000, backoffHost: false, hostUnreachable: true } },
    { name: 'a second timeout on first contact: give the host up', input: { reason: 'timeout', code: 'ETIMEDOUT', firstContact: true, attempt: 1 }, expected: { retry: false, delayMs: 0, backoffHost: false, hostUnreachable: true, giveUpHost: true } },
    { name: 'a timeout from a host that answered before: the usual backoff', input: { reason: 'timeout', code: 'ETIMEDOUT', firstContact: false, attempt: 1 }, expected: { retry: true, delayMs: 2_000, backoffHost: false } },
    { name: 'first contact, but a reset (the host exists): the usual backoff', input: { code: 'ECONNRESET', firstContact: true, attempt: 0 }, expected: { retry: true, delayMs: 1_000, backoffHost: false } },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.deepEqual(retryDecision({ attempt: 0, ...base, ...input }), expected));
  }
});
