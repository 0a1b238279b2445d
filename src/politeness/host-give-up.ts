/**
 * When a host is given up (its queued URLs are then recorded as skipped
 * `host-gave-up` without a fetch, and URLs of it found later too): after
 * `maxFailures` requests in a row failed for good because of the host
 * (timeouts, connection errors, 5xx, 429), or at once when the retry policy
 * says it cannot be reached on first contact (`giveUpHost`: a misspelled or
 * dead host). The one place that keeps, per host, the failures in a row,
 * whether it ever answered, whether the user was warned about it, and why
 * it was given up.
 *
 * Memory is bounded for broad crawls: the per-host record (failures,
 * answered, warned) is kept for the `maxHosts` hosts met most recently
 * (host-lru.ts); a host forgotten and met again starts afresh (its failures
 * from zero, its first contact again, one more warning). Hosts given up are
 * all remembered, as 64-bit fingerprints (fingerprint-set.ts: 8–16 bytes a
 * host), and so never fetched again; the reason of the `maxHosts` most recent
 * ones is kept word for word, older ones read "given up earlier in this crawl".
 */
import { FingerprintSet } from '../frontier/fingerprint-set.js';
import { HostLru } from './host-lru.js';

/** Hosts whose record (and give-up reason) is kept by default. */
export const DEFAULT_MAX_HOSTS = 65_536;

/** The reason of a host given up so long ago that its words were forgotten. */
export const FORGOTTEN_REASON = 'given up earlier in this crawl';

interface HostRecord {
  /** Requests in a row that failed for good because of the host. */
  failures: number;
  /** The host sent a response (any status) in this crawl. */
  answered: boolean;
  /** The user was already warned about the host (unreachable, robots.txt unreachable). */
  warned: boolean;
}

export class HostGiveUp {
  readonly #maxFailures: number;
  readonly #hosts: HostLru<HostRecord>;
  /** Every host given up. */
  readonly #gaveUp = new FingerprintSet();
  /** Why, for the most recent ones. */
  readonly #reasons: HostLru<string>;

  /** `maxFailures`: config `politeness.hostMaxFailures`; `maxHosts`: records and reasons kept. */
  constructor(maxFailures: number, maxHosts = DEFAULT_MAX_HOSTS) {
    this.#maxFailures = maxFailures;
    this.#hosts = new HostLru(maxHosts);
    this.#reasons = new HostLru(maxHosts);
  }

  /** Hosts with a record held (at most `maxHosts`). */
  get size(): number {
    return this.#hosts.size;
  }

  /** Why `host` was given up; undefined while it is not. */
  reason(host: string): string | undefined {
    if (!this.#gaveUp.has(host)) return undefined;
    return this.#reasons.get(host) ?? FORGOTTEN_REASON;
  }

  /** Requests of the host that failed for good in a row (0 after a success). */
  failures(host: string): number {
    return this.#hosts.get(host)?.failures ?? 0;
  }

  /** True once the host sent a response (any status) in this crawl: it exists and listens. */
  hasAnswered(host: string): boolean {
    return this.#hosts.get(host)?.answered ?? false;
  }

  /** The host sent a response; `ok`: a success, which ends its run of failures. */
  answered(host: string, ok: boolean): void {
    const record = this.#record(host);
    record.answered = true;
    if (ok) record.failures = 0;
  }

  /**
   * A request failed for good because of its host (`cause`: the last error).
   * Returns the reason to give the host up with when this failure reaches
   * `maxFailures`, else undefined.
   */
  failed(host: string, cause: string): string | undefined {
    const record = this.#record(host);
    const failures = ++record.failures;
    if (failures < this.#maxFailures || this.#gaveUp.has(host)) return undefined;
    return `${failures} consecutive failures (last: ${cause})`;
  }

  /** True the first time it is asked for `host`: warn about a host once, not once per URL. */
  firstWarning(host: string): boolean {
    const record = this.#record(host);
    if (record.warned) return false;
    record.warned = true;
    return true;
  }

  /** Marks the host given up; false when it already was (the first reason stays). */
  giveUp(host: string, reason: string): boolean {
    if (!this.#gaveUp.add(host)) return false;
    this.#reasons.set(host, reason);
    // Its requests stop at `reason()`: nothing else about it is needed.
    this.#hosts.delete(host);
    return true;
  }

  #record(host: string): HostRecord {
    let record = this.#hosts.get(host);
    if (!record) {
      record = { failures: 0, answered: false, warned: false };
      this.#hosts.set(host, record);
    }
    return record;
  }
}
