/**
 * TLS for the fetcher (`fetch.tls`):
 *
 * - `ca`: PEM bundles whose certificates are trusted *as well as* the built-in roots (and
 *   `NODE_EXTRA_CA_CERTS`), or instead of them with `caOnly`. Read and checked once, when
 *   the config is loaded (`readCaBundles`: a missing, unreadable or non-PEM file is a
 *   ConfigError naming the field), and made into one TLS context shared by every connection
 *   (on the agents, so the pool key of each request stays short).
 * - `insecureHosts`: the only hosts whose certificates are not checked (exact names or IPs, or
 *   `*.example.com` for subdomains; never `*` or a public suffix). Each such host is named in
 *   a warning the first time a response comes from it. Nothing else turns checks off: not
 *   even NODE_TLS_REJECT_UNAUTHORIZED=0, since every other request asks for verification.
 *
 * TLS failures are recorded with reason `tls` (`tlsFailure`): the OpenSSL code stays the code.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import tls, { type SecureContext } from 'node:tls';
import { ConfigError } from '../core/errors.js';
import { hostPatternMatcher } from './host-headers.js';
import { registrableDomain } from '../url/scope.js';

export interface TlsConfig {
  ca?: string | string[] | undefined;
  caOnly: boolean;
  insecureHosts: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The configured CA files with the config field each one comes from. */
function caFiles(config: TlsConfig): { file: string; field: string }[] {
  if (config.ca === undefined) return [];
  return Array.isArray(config.ca) ? config.ca.map((file, i) => ({ file, field: `fetch.tls.ca[${i}]` })) : [{ file: config.ca, field: 'fetch.tls.ca' }];
}

/**
 * The certificates of every `fetch.tls.ca` file (PEM strings), each parsed to make sure it is
 * one. Throws a ConfigError naming the field for a file that cannot be read, holds no PEM
 * certificate, or holds a broken one.
 */
export function readCaBundles(config: TlsConfig): string[] {
  const certificates: string[] = [];
  for (const { file, field } of caFiles(config)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(field, `cannot read the CA bundle "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
    const found = text.match(PEM_CERTIFICATE) ?? [];
    if (found.length === 0) throw new ConfigError(field, `"${file}" holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)`);
    found.forEach((pem, i) => {
      try {
        new X509Certificate(pem);
      } catch (error) {
        throw new ConfigError(field, `certificate ${i + 1} of "${file}" is not a valid X.509 certificate: ${(error as Error).message}`, { cause: error });
      }
    });
    certificates.push(...found);
  }
  return certificates;
}

/** An `insecureHosts` entry's problem, or undefined: exact names and IPs, or `*.` over a registrable domain. */
export function insecureHostProblem(pattern: string): string | undefined {
  const expected = 'expected a host name such as "dev.example", an IP address, or "*.dev.example" for its subdomains';
  if (!/^(\*\.)?[A-Za-z0-9._:[\]-]+$/.test(pattern)) return `${expected} (certificate checks are skipped for the hosts listed only)`;
  // `*.X` covers one site's hosts only when a name under X has X (or a part of it) as its registrable domain.
  if (pattern.startsWith('*.') && registrableDomain(`x.${pattern.slice(2)}`) === `x.${pattern.slice(2)}`) {
    return `${expected}; "${pattern}" would cover a whole public suffix`;
  }
  return undefined;
}

/** Everything the fetcher needs of `fetch.tls`. */
export class TlsPolicy {
  /** The context of every verified connection when `ca` is set (undefined: Node's default roots). */
  readonly secureContext: SecureContext | undefined;
  /** The trusted certificates when `ca` is set (for an https:// proxy's own connection). */
  readonly ca: string[] | undefined;
  readonly #insecure: (hostname: string) => true | undefined;
  readonly #warned = new Set<string>();
  readonly #warn: (message: string) => void;

  constructor(config: TlsConfig, warn: (message: string) => void = () => {}) {
    const extra = readCaBundles(config);
    if (extra.length > 0) {
      // Node replaces its whole store (NODE_EXTRA_CA_CERTS included) when given a CA list.
      this.ca = config.caOnly ? extra : [...tls.rootCertificates, ...nodeExtraCerts(), ...extra];
      this.secureContext = tls.createSecureContext({ ca: this.ca });
    }
    this.#insecure = hostPatternMatcher(Object.fromEntries(config.insecureHosts.map((host) => [host.replace(/^\[|\]$/g, ''), true as const])));
    this.#warn = warn;
  }

  /** True when `url`'s certificate is not to be checked (its host is in `insecureHosts`). */
  skipsVerification(url: URL): boolean {
    return url.protocol === 'https:' && this.#insecure(url.hostname.replace(/^\[|\]$/g, '')) === true;
  }

  /** Warns, once per host, that a response came over a connection whose certificate was not checked. */
  noteUnverified(url: URL, socket: unknown): void {
    if (this.#warned.has(url.hostname)) return;
    this.#warned.add(url.hostname);
    const tlsSocket = socket as { authorized?: boolean; authorizationError?: Error | string } | null | undefined;
    const problem = tlsSocket?.authorized === false && tlsSocket.authorizationError ? ` (its certificate would have failed: ${String(tlsSocket.authorizationError)})` : '';
    this.#warn(`${url.hostname}: TLS certificate not checked, as fetch.tls.insecureHosts asks${problem}; its pages may come from anyone on the network path`);
  }
}

/** The certificates of NODE_EXTRA_CA_CERTS, which Node adds to its default store only. */
function nodeExtraCerts(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return []; // Node itself warned when it started.
  }
}

/**
 * OpenSSL verification and handshake error codes, as Node reports them: certificate problems
 * (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`…) and
 * protocol failures (`ERR_SSL_WRONG_VERSION_NUMBER`, `EPROTO`…).
 */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|ERROR_IN_CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$|EPROTO$)/;

/** Certificate problems: the ones `fetch.tls.ca` or `insecureHosts` can do something about. */
const CERTIFICATE_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|INVALID_CA$|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$)/;

/** True when `code` is a TLS failure (reason `tls`). */
export function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && TLS_CODE.test(code);
}

/** The message of a TLS failure: what OpenSSL said, its code, and what to do about a certificate. */
export function tlsFailureMessage(code: string, message: string): string {
  const hint = CERTIFICATE_CODE.test(code) ? '; trust its CA with fetch.tls.ca, or skip the check for this host with fetch.tls.insecureHosts' : '';
  return `TLS: ${message} (${code})${hint}`;
}
