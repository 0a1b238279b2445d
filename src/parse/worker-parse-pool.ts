/**
 * The self-healing parser pool for `process` and `thread` modes: N worker
 * slots (see worker-slot.ts), one FIFO queue, one task per worker at a time.
 *
 * - Batches: a task is one page, or, when pages queue up, up to
 *   `MAX_BATCH_PAGES` of them in one message each way. With one page per
 *   task a worker sat idle from sending a result until the main process,
 *   busy with its sockets, got round to reading it and sending the next page
 *   (a third of the time in the benchmark); a batch pays that round trip once.
 *   An idle pool sends a lone page at once, and so does a pool that has not
 *   yet parsed a page or whose pages are slow: a batch is sized so that it
 *   should take at most a quarter of `taskTimeoutMs` at the recent parse
 *   time per page (`batchLimit`).
 * - Timeout: a task's clock starts when it is handed to an idle, initialised
 *   worker; at `taskTimeoutMs` that worker is killed on the spot. The clock
 *   covers the whole task, so a batch that overruns (a page much slower than
 *   the ones before it) is rerun page by page, below, each page with the
 *   full clock: a page only ever fails on its own time.
 * - Crash (exit, signal, OOM) or timeout: the page is retried once, pinned to
 *   the freshly started replacement worker; a second failure rejects with
 *   WorkerCrashedError (reason worker-crashed) or ParseError ERR_PARSE_TIMEOUT
 *   (reason parse-timeout). A batch that crashes or times out does not tell
 *   which page did it: its pages go back to the front of the queue, each to
 *   run alone, and only those single runs count as attempts. Every dead
 *   worker is replaced at once, so the pool keeps its size.
 * - Recycling: after `recycleAfterTasks` pages, or when the memory it reports
 *   passes `recycleAboveRssMb`, an idle worker is retired gracefully and
 *   replaced; it has no task at that point, so no task is lost.
 * - Backpressure: `parse()` never throws; it queues. `backlog` counts pages
 *   waiting or running so the crawler can pause fetching at `maxQueue`.
 */
import { ConfigError, ParseError, WorkerCrashedError } from '../core/errors.js';
import type { ParsedPage } from '../core/types.js';
import type { ParseInput, ParsePool, ParsePoolStats, ParseRules } from './parse-types.js';
import { WorkerSlot, type WorkerSlotOptions } from './worker-slot.js';

export interface WorkerParsePoolOptions extends WorkerSlotOptions {
  workers: number;
  rules: ParseRules;
  taskTimeoutMs: number;
  maxQueue: number;
  recycleAfterTasks?: number;
  recycleAboveRssMb?: number;
}

interface Task {
  input: ParseInput;
  /** 0 on the first try, 1 on the retry. */
  attempt: number;
  /** Runs in a batch of its own (it was in a batch whose worker died). */
  solo: boolean;
  resolve: (page: ParsedPage) => void;
  reject: (error: Error) => void;
}

/**
 * Most pages per task. A/B in the 10,000-page benchmark (process mode, one
 * worker; docs/performance.md): 8 beat 4 and 16. Larger batches delay the
 * first result of each batch and cost more to rerun when one overruns.
 */
export const MAX_BATCH_PAGES = 8;

/**
 * How many pages may share a task when recent pages took `parseMs` each:
 * enough to fill a quarter of the task timeout, 1 to `MAX_BATCH_PAGES`;
 * undefined (nothing parsed yet) is 1.
 */
export function batchLimit(parseMs: number | undefined, taskTimeoutMs: number): number {
  if (parseMs === undefined) return 1;
  return Math.max(1, Math.min(MAX_BATCH_PAGES, Math.floor(taskTimeoutMs / 4 / Math.max(parseMs, 0.01))));
}

/** Workers that fail to start this many times in a row stop the pool. */
const MAX_START_FAILURES = 3;
/** A worker must be up (process forked, modules loaded, rules compiled) within this. */
const MIN_START_TIMEOUT_MS = 15_000;

export class WorkerParsePool implements ParsePool {
  private readonly slots = new Set<WorkerSlot>();
  private readonly queue: Task[] = [];
  /** The pages each busy (or starting, for a pinned retry) worker owns. */
  private readonly assigned = new Map<WorkerSlot, Task[]>();
  private readonly waiters: Array<() => void> = [];
  private inFlight = 0;
  private tasksDone = 0;
  private crashes = 0;
  private timeouts = 0;
  private recycled = 0;
  private batches = 0;
  /** Recent parse time per page (ms), rising at once with a slow page and falling slowly; undefined until a page is parsed. */
  private parseMs: number | undefined;
  private startFailures = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly options: WorkerParsePoolOptions) {
    for (let i = 0; i < options.workers; i++) this.spawn();
  }

  get backlog(): number {
    return this.inFlight;
  }

  parse(input: ParseInput): Promise<ParsedPage> {
    if (this.closed) return Promise.reject(new ParseError('ERR_POOL_CLOSED', 'the parse pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    this.inFlight++;
    return new Promise<ParsedPage>((resolve, reject) => {
      this.queue.push({ input, attempt: 0, solo: false, resolve, reject });
      this.pump();
    }).finally(() => this.settled());
  }

  /** Resolves when the backlog is below `maxQueue` (at once if it already is). */
  waitForCapacity(): Promise<void> {
    if (this.inFlight < this.options.maxQueue || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats(): ParsePoolStats {
    let busy = 0;
    for (const slot of this.slots) if (slot.state === 'busy') busy++;
    return {
      mode: this.options.mode,
      workers: this.slots.size,
      busy,
      queued: this.queue.length,
      tasksDone: this.tasksDone,
      crashes: this.crashes,
      timeouts: this.timeouts,
      recycled: this.recycled,
      batches: this.batches,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new ParseError('ERR_POOL_CLOSED', 'the parse pool was closed before this page was parsed');
    for (const task of this.queue.splice(0)) task.reject(error);
    for (const task of [...this.assigned.values()].flat()) task.reject(error);
    this.assigned.clear();
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(slots.map((slot) => (slot.state === 'busy' || slot.state === 'starting' ? slot.kill() : slot.retire())));
    this.releaseWaiters();
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight < this.options.maxQueue) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Starts a worker; `pinned` is a retry that must run on this fresh worker. */
  private spawn(pinned?: Task): void {
    const slot = new WorkerSlot(this.options);
    this.slots.add(slot);
    if (pinned) this.assigned.set(slot, [pinned]);
    const startTimeoutMs = Math.max(MIN_START_TIMEOUT_MS, this.options.taskTimeoutMs);
    const timer = setTimeout(() => {
      void slot.kill();
      this.startFailed(slot, new WorkerCrashedError(`parser worker did not start within ${startTimeoutMs} ms`), pinned);
    }, startTimeoutMs);

    slot.init(this.options.rules, this.options.recycleAboveRssMb !== undefined).then(
      (result) => {
        clearTimeout(timer);
        if (slot.state === 'dead') return; // timed out or closed meanwhile
        if (!result.ok) {
          void slot.kill();
          const error = result.code === 'ERR_CONFIG'
            ? configError(result.field ?? 'extract.module', result.message)
            : new WorkerCrashedError(`parser worker failed to initialise: ${result.message}`);
          if (result.code === 'ERR_CONFIG') this.fail(error, pinned);
          else this.startFailed(slot, error, pinned);
          return;
        }
        this.startFailures = 0;
        slot.identity = { pid: result.pid, threadId: result.threadId };
        slot.state = 'idle';
        if (pinned) this.run(slot, [pinned]);
        else this.pump();
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (slot.state === 'dead') return;
        slot.markDead();
        const detail = slot.stderr ? `\n${slot.stderr}` : '';
        this.startFailed(slot, new WorkerCrashedError(`parser worker died while starting: ${message(error)}${detail}`, { cause: error }), pinned);
      },
    );
  }

  private startFailed(slot: WorkerSlot, error: Error, pinned: Task | undefined): void {
    this.slots.delete(slot);
    this.assigned.delete(slot);
    if (this.closed) return pinned?.reject(error);
    this.startFailures++;
    if (this.startFailures >= MAX_START_FAILURES) return this.fail(error, pinned);
    this.spawn(pinned);
  }

  /** The workers cannot start at all (bad extractor module, broken install): stop for good. */
  private fail(error: Error, pinned: Task | undefined): void {
    this.failure = error;
    pinned?.reject(error);
    for (const task of this.queue.splice(0)) task.reject(error);
    for (const task of [...this.assigned.values()].flat()) task.reject(error);
    this.assigned.clear();
    for (const slot of [...this.slots]) {
      this.slots.delete(slot);
      void slot.kill();
    }
  }

  private pump(): void {
    if (this.closed) return;
    let idle = 0;
    for (const slot of this.slots) if (slot.state === 'idle') idle++;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const size = Math.min(Math.ceil(this.queue.length / idle), this.pagesBeforeRecycling(slot), batchLimit(this.parseMs, this.options.taskTimeoutMs));
      this.run(slot, this.takeBatch(size));
      idle--;
    }
  }

  /** Pages `slot` may still run before `recycleAfterTasks` retires it (a batch never overshoots). */
  private pagesBeforeRecycling(slot: WorkerSlot): number {
    const { recycleAfterTasks } = this.options;
    return recycleAfterTasks === undefined ? Number.POSITIVE_INFINITY : Math.max(1, recycleAfterTasks - slot.tasksDone);
  }

  /**
   * The next task from the queue, with up to `size - 1` more. Pages sent back
   * from a failed batch sit at the front of the queue and go one at a time
   * (retries never wait in the queue: they go straight to a fresh worker).
   */
  private takeBatch(size: number): Task[] {
    const first = this.queue.shift()!;
    if (first.solo) return [first];
    const batch = [first];
    while (batch.length < size && this.queue.length > 0) batch.push(this.queue.shift()!);
    return batch;
  }

  private run(slot: WorkerSlot, batch: Task[]): void {
    slot.state = 'busy';
    this.batches++;
    this.assigned.set(slot, batch);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.timeouts++;
      void slot.kill();
      this.replace(slot, batch, 'timeout', '');
    }, this.options.taskTimeoutMs);

    slot.parse(batch.map((task) => task.input)).then(
      (outcome) => {
        clearTimeout(timer);
        if (timedOut || slot.state === 'dead') return;
        this.assigned.delete(slot);
        this.tasksDone += batch.length;
        slot.tasksDone += batch.length;
        slot.memoryMb = outcome.memoryMb;
        batch.forEach((task, i) => {
          const result = outcome.results[i];
          if (result?.ok) {
            this.noteParseMs(result.page.parseMs);
            task.resolve(result.page);
          } else task.reject(new ParseError(result?.code ?? 'ERR_PARSE', result?.message ?? 'the parser worker returned no result for this page'));
        });
        this.afterTask(slot);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (timedOut || slot.state === 'dead') return;
        this.crashes++;
        slot.markDead();
        this.replace(slot, batch, 'crash', `${message(error).split('\n')[0]}${slot.stderr ? `\n${slot.stderr}` : ''}`);
      },
    );
  }

  /**
   * A worker died under `batch`: replace it. A lone page is retried once on
   * the replacement; the pages of a larger batch go back to the front of the
   * queue, each to run alone (which of them killed the worker is unknown).
   */
  private replace(slot: WorkerSlot, batch: Task[], kind: 'crash' | 'timeout', detail: string): void {
    this.slots.delete(slot);
    this.assigned.delete(slot);
    if (this.closed) {
      for (const task of batch) task.reject(new ParseError('ERR_POOL_CLOSED', 'the parse pool was closed while this page was being parsed'));
      return;
    }
    if (batch.length > 1) {
      for (const task of batch) task.solo = true;
      this.queue.unshift(...batch);
      this.spawn();
      this.pump(); // another idle worker may take them now
      return;
    }
    const task = batch[0]!;
    if (task.attempt === 0) {
      task.attempt = 1;
      this.spawn(task);
      return;
    }
    this.spawn();
    const url = task.input.url;
    if (kind === 'timeout') {
      task.reject(new ParseError('ERR_PARSE_TIMEOUT', `parsing ${url} took longer than ${this.options.taskTimeoutMs} ms twice; the worker was killed each time`));
    } else {
      task.reject(new WorkerCrashedError(`the parser worker crashed twice on ${url}: ${detail}`, { retryable: false }));
    }
  }

  private noteParseMs(ms: number): void {
    this.parseMs = this.parseMs === undefined ? ms : Math.max(ms, 0.8 * this.parseMs + 0.2 * ms);
  }

  private afterTask(slot: WorkerSlot): void {
    if (this.closed) return;
    const { recycleAfterTasks, recycleAboveRssMb } = this.options;
    const worn = recycleAfterTasks !== undefined && slot.tasksDone >= recycleAfterTasks;
    const bloated = recycleAboveRssMb !== undefined && slot.memoryMb > recycleAboveRssMb;
    if (worn || bloated) {
      this.recycled++;
      this.slots.delete(slot);
      void slot.retire();
      this.spawn();
      return;
    }
    slot.state = 'idle';
    this.pump();
  }
}

/** Rebuilds a worker's ConfigError (its message already starts with "field: "). */
function configError(field: string, text: string): ConfigError {
  return new ConfigError(field, text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
