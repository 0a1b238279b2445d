/**
 * Watches a node's Redis connection between and during frontier calls. Every
 * `intervalMs` it sends one probe (unless one is still waiting for its
 * reply); when no probe has been answered for `timeoutMs`, the server is
 * unreachable or hung (a stopped process keeps its TCP connections open, so
 * only the missing answers show it) and it calls `onDead` with
 * `ERR_FRONTIER_LOST`: within `intervalMs` of the timeout after the last answer. A probe that fails with a non-retryable
 * `FrontierUnavailableError` (the crawl's state is gone from Redis) calls
 * `onDead` with that error at once. `probeNow()` probes out of turn (on
 * every reconnect). Its timers never keep the process alive.
 */
import { FrontierUnavailableError } from '../core/errors.js';
import { frontierLostError } from './retrying-frontier.js';

export interface RedisWatchdogOptions {
  /** Resolves once Redis answered (and the crawl is intact); rejects otherwise. */
  probe: () => Promise<void>;
  /** No answer to any probe sent within this long: dead. */
  timeoutMs: number;
  /** @default timeoutMs / 10, between 50 and 1000 */
  intervalMs?: number;
  /** Names the server in messages (the redacted URL). */
  label: string;
  /** Called once. */
  onDead: (error: FrontierUnavailableError) => void;
  now?: () => number;
}

export class RedisWatchdog {
  readonly #options: RedisWatchdogOptions;
  /** When the last answer came. */
  #answeredAtMs = 0;
  #probing = false;
  #lastError: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dead = false;

  constructor(options: RedisWatchdogOptions) {
    this.#options = options;
  }

  /** The connection answered just now (counts as a probe answered). */
  start(): void {
    this.#answeredAtMs = this.#now();
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs ?? Math.min(1_000, Math.max(50, this.#options.timeoutMs / 10)));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Probes now (unless a probe is waiting for its reply). */
  probeNow(): void {
    if (this.#probing || this.#dead) return;
    this.#probing = true;
    this.#options.probe().then(
      () => {
        this.#answeredAtMs = this.#now();
        this.#lastError = undefined;
      },
      (error: unknown) => {
        this.#lastError = error as Error;
        if (error instanceof FrontierUnavailableError && !error.retryable) this.#die(error);
      },
    ).finally(() => {
      this.#probing = false;
    });
  }

  #tick(): void {
    const silentMs = this.#now() - this.#answeredAtMs;
    if (silentMs >= this.#options.timeoutMs) {
      // A refused or dropped connection fails at once; a server that accepts and never answers only times out.
      const hung = this.#probing || /timed out/i.test(this.#lastError?.message ?? '');
      const cause = hung || !this.#lastError ? new Error('connected, but no reply (the server is hung, paused or overloaded)') : this.#lastError;
      this.#die(frontierLostError(this.#options.label, silentMs, this.#options.timeoutMs, cause));
      return;
    }
    this.probeNow();
  }

  #die(error: FrontierUnavailableError): void {
    if (this.#dead) return;
    this.#dead = true;
    this.stop();
    this.#options.onDead(error);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
