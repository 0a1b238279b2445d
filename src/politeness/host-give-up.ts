/**
 * When a host is given up (its queued URLs are then recorded as skipped
 * `host-gave-up` without a fetch, and URLs of it found later too): after
 * `maxFailures` requests in a row failed for good because of the host
 * (timeouts, connection errors, 5xx, 429), or at once when the retry policy
 * says it cannot be reached on first contact (`giveUpHost`: a misspelled or
 * dead host). The one place that keeps, per host, the failures in a row,
 * whether it ever answered, whether the user was warned about it, and why
 * it was given up.
 */
export class HostGiveUp {
  readonly #maxFailures: number;
  /** Requests in a row that failed for good because of the host. */
  readonly #failures = new Map<string, number>();
  /** Hosts that sent a response (any status) in this crawl. */
  readonly #answered = new Set<string>();
  /** Hosts given up, and why. */
  readonly #gaveUp = new Map<string, string>();
  /** Hosts the user was already warned about (unreachable, robots.txt unreachable). */
  readonly #warned = new Set<string>();

  /** `maxFailures`: config `politeness.hostMaxFailures`. */
  constructor(maxFailures: number) {
    this.#maxFailures = maxFailures;
  }

  /** Why `host` was given up; undefined while it is not. */
  reason(host: string): string | undefined {
    return this.#gaveUp.get(host);
  }

  /** Requests of the host that failed for good in a row (0 after a success). */
  failures(host: string): number {
    return this.#failures.get(host) ?? 0;
  }

  /** True once the host sent a response (any status) in this crawl: it exists and listens. */
  hasAnswered(host: string): boolean {
    return this.#answered.has(host);
  }

  /** The host sent a response; `ok`: a success, which ends its run of failures. */
  answered(host: string, ok: boolean): void {
    this.#answered.add(host);
    if (ok) this.#failures.delete(host);
  }

  /**
   * A request failed for good because of its host (`cause`: the last error).
   * Returns the reason to give the host up with when this failure reaches
   * `maxFailures`, else undefined.
   */
  failed(host: string, cause: string): string | undefined {
    const failures = (this.#failures.get(host) ?? 0) + 1;
    this.#failures.set(host, failures);
    if (failures < this.#maxFailures || this.#gaveUp.has(host)) return undefined;
    return `${failures} consecutive failures (last: ${cause})`;
  }

  /** True the first time it is asked for `host`: warn about a host once, not once per URL. */
  firstWarning(host: string): boolean {
    if (this.#warned.has(host)) return false;
    this.#warned.add(host);
    return true;
  }

  /** Marks the host given up; false when it already was (the first reason stays). */
  giveUp(host: string, reason: string): boolean {
    if (this.#gaveUp.has(host)) return false;
    this.#gaveUp.set(host, reason);
    this.#failures.delete(host);
    return true;
  }
}
