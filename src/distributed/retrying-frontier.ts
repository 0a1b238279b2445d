/**
 * Rides out an outage of the shared frontier. Wraps any `Frontier`: a call
 * that fails with `FrontierUnavailableError` (Redis unreachable) is retried
 * with backoff, so the node pauses (no new leases, in-flight pages wait to
 * complete) while the crawler's flush timer keeps writing the local store.
 * An outage starts when the first failing call was sent (a hung server fails
 * a call only at its command timeout), and when it has lasted `timeoutMs`
 * every waiting call fails with `FrontierUnavailableError`
 * `ERR_FRONTIER_LOST` (exit code 3 at the CLI). `giveUp(error)` ends it
 * sooner from outside (the node's watchdog: a server that stopped answering,
 * or a crawl whose state is gone), releasing every call at once, even one
 * still waiting for its reply. A non-retryable `FrontierUnavailableError`
 * (the crawl's state is gone) gives up at once.
 *
 * Retrying is safe because every frontier step is idempotent or self-healing:
 * `add` dedups, `complete`/`retry` of a lease already taken are no-ops, and a
 * `lease` whose reply was lost expires and is handed out again.
 * `flush` and `close` are never retried (the crawler must be able to flush
 * and stop while Redis is away).
 *
 * After giving up, the calls of the crawl loop (`lease`, `isDone`,
 * `nextReadyAt`, `stats`) throw at once, which ends the crawl (the local
 * store is flushed on the way out); the calls a page in flight makes (`add`,
 * `complete`, `retry`, …) return at once without effect, so those pages end
 * quietly. Their leases expire in Redis and other nodes fetch them again.
 */
import { FrontierUnavailableError } from '../core/errors.js';
import type { CrawlEventBus } from '../core/events.js';
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import type { AddResult, CompleteOptions, Frontier, FrontierStats, HostPolicy, RedirectClaim, ReleaseOptions } from '../frontier/frontier.js';

export interface RetryingFrontierOptions {
  /** Give up after the frontier has been unreachable this long. @default 60000 */
  timeoutMs?: number;
  /** First wait between attempts; doubles up to `maxDelayMs`. @default 100 */
  minDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
  /** Where "paused" / "resumed" messages go. */
  events?: CrawlEventBus;
  /** Names the backend in messages, e.g. the redacted Redis URL. */
  label?: string;
  /** Called once, when it gives up (by timeout, non-retryable error or `giveUp`). */
  onGiveUp?: (error: FrontierUnavailableError) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RetryingFrontier implements Frontier {
  readonly #inner: Frontier;
  readonly #options: RetryingFrontierOptions;
  /** When the current outage started; undefined while the frontier answers. */
  #outageSinceMs: number | undefined;
  /** Set once it gave up. */
  #gaveUp: FrontierUnavailableError | undefined;
  /** Settles when it gives up: every waiting call races it. */
  readonly #released: Promise<void>;
  #release!: () => void;

  constructor(inner: Frontier, options: RetryingFrontierOptions = {}) {
    this.#inner = inner;
    this.#options = options;
    this.#released = new Promise((resolve) => (this.#release = resolve));
  }

  /** True while calls are failing and being retried. */
  get paused(): boolean {
    return this.#outageSinceMs !== undefined;
  }

  /** The error it gave up with; undefined while it has not. */
  get gaveUp(): FrontierUnavailableError | undefined {
    return this.#gaveUp;
  }

  /** Gives up now with `error` (the first one given is kept); every waiting and later call ends as after a timeout. */
  giveUp(error: FrontierUnavailableError): void {
    if (this.#gaveUp) return;
    this.#gaveUp = error;
    this.#release();
    this.#options.onGiveUp?.(error);
  }

  add(requests: CrawlRequest[]): Promise<AddResult[]> {
    return this.#call(() => this.#inner.add(requests), () => requests.map(() => ({ ok: false, reason: 'duplicate' as const })));
  }
  lease(max: number, nowMs?: number): Promise<Lease[]> {
    // A lease granted after an outage is granted at the time it succeeds, not when it was asked for.
    return this.#call((retried) => this.#inner.lease(max, retried ? this.#now() : nowMs));
  }
  complete(lease: Lease, outcome: PageOutcome, options?: CompleteOptions): Promise<void> {
    const ended = { ...options, nowMs: options?.nowMs ?? this.#now() };
    return this.#call(() => this.#inner.complete(lease, outcome, ended), noop);
  }
  releaseHost(lease: Lease, options?: ReleaseOptions): Promise<void> {
    const ended = { ...options, nowMs: options?.nowMs ?? this.#now() };
    return this.#call(() => this.#inner.releaseHost?.(lease, ended) ?? Promise.resolve(), noop);
  }
  retry(lease: Lease, notBeforeMs: number, nowMs = this.#now()): Promise<void> {
    return this.#call(() => this.#inner.retry(lease, notBeforeMs, nowMs), noop);
  }
  setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void> {
    return this.#call(() => this.#inner.setHostPolicy(host, policy), noop);
  }
  backoffHost(host: string, untilMs: number): Promise<void> {
    return this.#call(() => this.#inner.backoffHost(host, untilMs), noop);
  }
  drainHost(host: string): Promise<CrawlRequest[]> {
    return this.#call(() => this.#inner.drainHost(host), () => []);
  }
  /** After giving up: ok (the page in flight ends as it would have; its lease expires). */
  claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    return this.#call(() => this.#inner.claimRedirect(claim), () => ({ ok: true }));
  }
  seedRedirects(): Promise<string[]> {
    return this.#call(() => this.#inner.seedRedirects(), () => []);
  }
  bookHost(host: string, nowMs: number, sentNow?: boolean): Promise<number> {
    return this.#call(() => this.#inner.bookHost(host, nowMs, sentNow), () => nowMs);
  }
  nextReadyAt(nowMs?: number): Promise<number | undefined> {
    return this.#call((retried) => this.#inner.nextReadyAt(retried ? this.#now() : nowMs));
  }
  stats(): Promise<FrontierStats> {
    return this.#call(() => this.#inner.stats());
  }
  isDone(): Promise<boolean> {
    return this.#call(() => this.#inner.isDone());
  }
  flush(): Promise<void> {
    return this.#inner.flush();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Runs `step`, retrying through an outage; after giving up: `afterGiveUp()` if given, else the give-up error. */
  async #call<T>(step: (retried: boolean) => Promise<T>, afterGiveUp?: () => T): Promise<T> {
    const { minDelayMs = 100, maxDelayMs = 2_000, timeoutMs = 60_000 } = this.#options;
    let delayMs = minDelayMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#gaveUp) {
        if (afterGiveUp) return afterGiveUp();
        throw this.#gaveUp;
      }
      const sentAtMs = this.#now();
      try {
        const result = await this.#unlessGivenUp(step(attempt > 0));
        if (result === GAVE_UP) continue;
        this.#recovered();
        return result;
      } catch (error) {
        if (!(error instanceof FrontierUnavailableError)) throw error;
        if (!error.retryable) {
          this.giveUp(error);
          continue;
        }
        const since = this.#outageStarted(error, sentAtMs);
        const waitedMs = this.#now() - since;
        if (waitedMs >= timeoutMs) {
          this.giveUp(frontierLostError(this.#label, waitedMs, timeoutMs, error));
          continue;
        }
        await this.#unlessGivenUp(this.#sleep(Math.min(delayMs, timeoutMs - waitedMs)));
        delayMs = Math.min(maxDelayMs, delayMs * 2);
      }
    }
  }

  /** `promise`, or GAVE_UP as soon as it gives up (the promise's outcome is then ignored). */
  #unlessGivenUp<T>(promise: Promise<T>): Promise<T | typeof GAVE_UP> {
    promise.catch(() => undefined); // settled after giving up: nobody listens
    return Promise.race([promise, this.#released.then((): typeof GAVE_UP => GAVE_UP)]);
  }

  #outageStarted(error: Error, sentAtMs: number): number {
    if (this.#outageSinceMs === undefined) {
      this.#outageSinceMs = sentAtMs;
      this.#options.events?.emit('log', {
        level: 'warn',
        message: `${this.#label} unreachable (${error.message}); paused, retrying for up to ${this.#options.timeoutMs ?? 60_000} ms`,
      });
    }
    return this.#outageSinceMs;
  }

  #recovered(): void {
    if (this.#outageSinceMs === undefined) return;
    const pausedMs = this.#now() - this.#outageSinceMs;
    this.#outageSinceMs = undefined;
    this.#options.events?.emit('log', { level: 'warn', message: `${this.#label} reachable again after ${pausedMs} ms; resuming` });
  }

  get #label(): string {
    return this.#options.label ?? 'shared frontier';
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #sleep(ms: number): Promise<void> {
    return (this.#options.sleep ?? ((t: number) => new Promise<void>((resolve) => setTimeout(resolve, t))))(ms);
  }
}

const noop = (): void => undefined;
const GAVE_UP: unique symbol = Symbol('gave up');

/** The error of giving up after `waitedMs` of outage (limit `timeoutMs`); `label` names the backend. */
export function frontierLostError(label: string, waitedMs: number, timeoutMs: number, cause: Error): FrontierUnavailableError {
  return new FrontierUnavailableError(
    'ERR_FRONTIER_LOST',
    `${label} unreachable for ${Math.round(waitedMs / 100) / 10} s (limit ${timeoutMs} ms, --redis-timeout); gave up. Pages already stored locally are kept; run the node again to rejoin. Last error: ${cause.message}`,
    { retryable: true, cause },
  );
}
