/**
 * The reason and code of a fetch that ended in an error instead of a response.
 */
import type { ReasonCode } from '../core/types.js';
import { isTlsCode, tlsFailureMessage } from './tls-policy.js';

/**
 * Maps a got / Node / zlib error to a reason and a stable code:
 * timeouts → `timeout`; the private-network guard's refusal → `blocked-address`; certificate and handshake
 * failures → `tls` (the OpenSSL code kept: DEPTH_ZERO_SELF_SIGNED_CERT…); resets, refusals, DNS, early close and
 * Content-Length mismatch → `connection`; zlib/brotli errors → `decompression`.
 */
export function classifyFetchError(error: unknown): { reason: ReasonCode; code: string; message: string } {
  const err = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown; event?: unknown };
  const code = typeof err.code === 'string' ? err.code : 'ERR_FETCH';
  const message = typeof err.message === 'string' ? err.message : String(error);
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return { reason: 'timeout', code: 'ETIMEDOUT', message };
  }
  if (/^(Z_|ERR__ERROR|ERR_BROTLI|ERR_ZSTD)/.test(code)) return { reason: 'decompression', code, message };
  if (code === 'ERR_INVALID_URL') return { reason: 'invalid-url', code, message };
  if (code === 'ERR_BLOCKED_ADDRESS') return { reason: 'blocked-address', code, message };
  if (isTlsCode(code)) return { reason: 'tls', code, message: tlsFailureMessage(code, message) };
  return { reason: 'connection', code, message };
}
