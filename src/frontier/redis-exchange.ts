/**
 * The Redis frontier's calls, sent in exchanges: every script call waits in
 * the exchange being gathered, and the exchange goes out as a whole (every
 * call written at once, one shard's calls in order on its connection, so one
 * wait for all of them: one round trip). A call someone waits on (a lease the
 * crawl loop needs, the links of a page) sends the exchange on the next tick;
 * a call nobody waits on (a host release, a completion) rides with the next
 * such exchange, or goes after its `waitMs` at the latest. Calls merged per
 * shard (`merge`) become one script call with every caller's arguments in a
 * row. Within an exchange, calls go in `Step` order: releases and
 * completions first (the places and tokens they free can be leased in the
 * same exchange), then the rest, then leases, then the global sync.
 * `beforeSend` may add calls to the exchange about to go (a lease refill, a
 * sync).
 */
export const Step = { Release: 0, Complete: 1, Call: 2, Lease: 3, Sync: 4 } as const;
export type Step = (typeof Step)[keyof typeof Step];

interface Pending {
  step: Step;
  run: () => Promise<unknown>;
  settle: (error: unknown, value?: unknown) => void;
}

interface Merged {
  args: Array<string | number>;
  waiters: Array<(error?: unknown) => void>;
}

export interface ExchangeOptions {
  /** Runs just before an exchange goes out; calls it makes join it. */
  beforeSend?: () => void;
  /** Told once per exchange sent (the frontier counts round trips). */
  onSend?: () => void;
}

export class RedisExchange {
  readonly #options: ExchangeOptions;
  #pending: Pending[] = [];
  /** key → the merged call of that key in the exchange being gathered. */
  #merged = new Map<string, Merged>();
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires. */
  #deadlineMs = Infinity;
  #sending = false;

  constructor(options: ExchangeOptions = {}) {
    this.#options = options;
  }

  /** `run` goes out with the next exchange, which leaves within `waitMs` (0: on the next tick); resolves with its reply. */
  call<T>(step: Step, waitMs: number, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ step, run, settle: (error, value) => (error === undefined ? resolve(value as T) : reject(error)) });
      this.#schedule(waitMs);
    });
  }

  /**
   * `args` join the call merged under `key` (e.g. a script and a shard) in the next exchange: one
   * call for every caller, `send(args)` with all their arguments. Resolves when it is answered.
   */
  merge(step: Step, key: string, args: Array<string | number>, waitMs: number, send: (args: Array<string | number>) => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let merged = this.#merged.get(key);
      if (!merged) {
        const entry: Merged = { args: [], waiters: [] };
        merged = entry;
        this.#merged.set(key, entry);
        this.#pending.push({ step, run: () => send(entry.args), settle: (error) => entry.waiters.forEach((w) => w(error)) });
      }
      merged.args.push(...args);
      merged.waiters.push((error) => (error === undefined ? resolve() : reject(error)));
      this.#schedule(waitMs);
    });
  }

  #schedule(waitMs: number): void {
    if (this.#sending || this.#immediate) return;
    if (waitMs <= 0) {
      this.#clearTimer();
      this.#immediate = setImmediate(() => this.#send());
      return;
    }
    const deadlineMs = Date.now() + waitMs;
    if (deadlineMs >= this.#deadlineMs) return;
    this.#clearTimer();
    this.#deadlineMs = deadlineMs;
    // Unref'd: a call that only rides along (a release, a sync) never keeps a process alive whose
    // Redis connection is closed (a test's node lingered for minutes); a crawl's connection holds it.
    this.#timer = setTimeout(() => this.#send(), waitMs).unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadlineMs = Infinity;
  }

  #send(): void {
    this.#clearTimer();
    this.#immediate = undefined;
    this.#sending = true;
    try {
      this.#options.beforeSend?.();
    } finally {
      this.#sending = false;
    }
    const batch = this.#pending;
    this.#pending = [];
    this.#merged = new Map();
    if (batch.length === 0) return;
    this.#options.onSend?.();
    batch.sort((a, b) => a.step - b.step);
    for (const call of batch) {
      let reply: Promise<unknown>;
      try {
        reply = call.run();
      } catch (error) {
        reply = Promise.reject(error);
      }
      reply.then(
        (value) => call.settle(undefined, value),
        (error: unknown) => call.settle(error ?? new Error('Redis call failed')),
      );
    }
  }
}
