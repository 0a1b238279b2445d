/**
 * One parser worker (a child process or a thread) behind a workerpool Pool
 * of exactly one worker. `WorkerParsePool` owns N slots and does the
 * scheduling itself; a slot only starts, runs one task at a time, and dies.
 *
 * Why one workerpool Pool per worker: workerpool 10 has no "recycle after N
 * tasks", no per-worker task counts, and its `.timeout()` kills a busy worker
 * only after 2 × `workerTerminateTimeout` (a cleanup round-trip the blocked
 * worker never answers, then a grace period). With one worker per Pool the
 * public API gives us all of it: we know which worker runs which task, how
 * many it ran, its pid, and we can kill exactly that worker the moment its
 * task overruns, without touching workerpool's internals.
 */
import workerpool from 'workerpool';
import type { WorkerIdentity, WorkerInitResult, WorkerParseResult } from './parse-worker.js';
import type { ParseInput, ParseRules } from './parse-types.js';

export interface WorkerSlotOptions {
  mode: 'process' | 'thread';
  /** Absolute path of the worker script (parse-worker.js, or .ts under tsx). */
  script: string;
  /** Extra node flags for a worker process (e.g. `--import tsx` in development). */
  execArgv: string[];
  /** Code a worker thread evaluates instead of loading `script` (development under tsx). */
  threadBootstrap?: string;
  workerHeapMb: number;
}

/** How long a process gets to exit after the terminate message before it is killed. */
const TERMINATE_GRACE_MS = 200;
/** Keep this much of a worker's stderr to explain a crash. */
const STDERR_TAIL_CHARS = 2_000;

export type SlotState = 'starting' | 'idle' | 'busy' | 'dead';

/** Parent flags that only make sense for a main script and break a worker thread's start. */
const MAIN_ONLY_FLAGS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/**
 * The node flags a worker thread inherits: the parent's `process.execArgv`
 * (as Node does by default) minus `--eval`/`--print` and `--input-type`,
 * which make a thread fail to load its script.
 */
export function threadExecArgv(parentArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < parentArgv.length; i++) {
    const arg = parentArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (MAIN_ONLY_FLAGS_WITH_VALUE.has(name)) {
      if (!arg.includes('=')) i++; // skip the separate value
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

/**
 * Semi-space size of a worker process's young generation, MiB. V8's default
 * lets it grow to 16 MiB (32 MiB committed for the two semi-spaces), which
 * a parser worker reaches within a few pages and then keeps: a third of its
 * RSS. At 8 MiB a worker's peak RSS in the 10,000-page benchmark drops from
 * ~105 to ~88 MB with no measurable change in its CPU per page (same build,
 * 4 alternating crawls: median 1.15 vs 1.15 worker ms/page; 5 rounds of
 * 4,000 parses: 1.16 vs 1.16). 2–4 MiB cost +8–10% worker CPU in earlier
 * measurements. Flags in `WorkerSlotOptions.execArgv` come later and win.
 */
export const WORKER_SEMI_SPACE_MB = 8;

/**
 * The node flags of a worker process: its heap limit, its young-generation
 * size, then `extra` (which may override either: V8 keeps the last value).
 */
export function workerProcessExecArgv(workerHeapMb: number, extra: readonly string[]): string[] {
  return [`--max-old-space-size=${workerHeapMb}`, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`, ...extra];
}

export class WorkerSlot {
  state: SlotState = 'starting';
  /** Pages this worker has finished (ok or failed). */
  tasksDone = 0;
  /** Memory reported with the last result, MiB. */
  memoryMb = 0;
  identity: WorkerIdentity | undefined;
  private stderrTail = '';
  private readonly pool: workerpool.Pool;
  private terminating: Promise<void> | undefined;

  constructor(private readonly options: WorkerSlotOptions) {
    const evalThread = options.mode === 'thread' && options.threadBootstrap !== undefined;
    this.pool = workerpool.pool(evalThread ? options.threadBootstrap : options.script, {
      workerType: options.mode,
      maxWorkers: 1,
      // Worker stdout/stderr are piped to us (and drained), never inherited,
      // so worker output cannot garble the progress display. With
      // emitStdStreams false workerpool would fork with stdio inherited.
      emitStdStreams: true,
      workerTerminateTimeout: TERMINATE_GRACE_MS,
      forkOpts: {
        serialization: 'advanced',
        execArgv: workerProcessExecArgv(options.workerHeapMb, options.execArgv),
      },
      workerThreadOpts: {
        resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMb },
        execArgv: threadExecArgv(process.execArgv),
        ...(evalThread ? { eval: true } : {}),
      },
    });
  }

  /** The last lines the worker wrote to stderr (an OOM report, a stack trace). */
  get stderr(): string {
    return this.stderrTail.trim();
  }

  private readonly onStd = (payload: unknown): void => {
    const chunk = (payload as { stderr?: unknown } | null)?.stderr;
    if (typeof chunk === 'string') this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  };

  /** Starts the worker and delivers the rules; resolves when it is ready. With `reportMemory`, each result carries the worker's memory. */
  init(rules: ParseRules, reportMemory: boolean): Promise<WorkerInitResult> {
    return Promise.resolve(this.pool.exec('init', [rules, reportMemory], { on: this.onStd }) as PromiseLike<WorkerInitResult>);
  }

  /** Parses a batch of pages (one message each way); rejects when the worker dies or is killed meanwhile. */
  parse(inputs: ParseInput[]): Promise<WorkerParseResult> {
    return Promise.resolve(this.pool.exec('parse', [inputs], { on: this.onStd }) as PromiseLike<WorkerParseResult>);
  }

  /**
   * Kills the worker now, whatever it is doing: SIGKILL for a process (a
   * CPU-bound or signal-ignoring process dies at once), `Worker.terminate()`
   * for a thread (after the short grace period; V8 interrupts even a busy
   * loop). The running task's promise rejects.
   */
  kill(): Promise<void> {
    if (this.options.mode === 'process' && this.identity && this.state !== 'dead') {
      try {
        process.kill(this.identity.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return this.stop(true);
  }

  /** Stops an idle worker gracefully (recycling, close). */
  retire(): Promise<void> {
    return this.stop(false);
  }

  /** Marks a worker that died on its own (crash, OOM); nothing is left to stop. */
  markDead(): void {
    this.state = 'dead';
  }

  private stop(force: boolean): Promise<void> {
    const wasDead = this.state === 'dead';
    this.state = 'dead';
    if (this.terminating) return this.terminating;
    if (wasDead) {
      this.terminating = Promise.resolve();
      return this.terminating;
    }
    // Called synchronously after a SIGKILL, before the exit event arrives, so
    // workerpool still sees the exit and resolves.
    this.terminating = Promise.resolve(this.pool.terminate(force) as PromiseLike<unknown>).then(
      () => undefined,
      () => undefined,
    );
    return this.terminating;
  }
}
