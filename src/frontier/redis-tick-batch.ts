/**
 * Calls made in the same tick of the event loop, sent to Redis together: one
 * script per shard with the arguments of every call for that shard in a row
 * (the Redis frontier's completions and host releases). Each call's promise
 * settles with its shard's script.
 */
type Send = (shard: number, args: Array<string | number>) => Promise<unknown>;

export class TickBatch {
  readonly #send: Send;
  readonly #onFlush: () => void;
  #pending = new Map<number, Array<{ args: Array<string | number>; done: (error?: unknown) => void }>>();

  /** `send` runs one shard's batch; `onFlush` is told each time a tick's batches go out. */
  constructor(send: Send, onFlush: () => void = () => {}) {
    this.#send = send;
    this.#onFlush = onFlush;
  }

  /** Adds one call's arguments to `shard`'s batch of this tick. */
  add(shard: number, args: Array<string | number>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) setImmediate(() => this.#flush());
      const list = this.#pending.get(shard) ?? [];
      list.push({ args, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#pending.set(shard, list);
    });
  }

  #flush(): void {
    const batches = this.#pending;
    this.#pending = new Map();
    this.#onFlush();
    for (const [shard, list] of batches) {
      this.#send(shard, list.flatMap((c) => c.args)).then(
        () => list.forEach((c) => c.done()),
        (error: unknown) => list.forEach((c) => c.done(error)),
      );
    }
  }
}
