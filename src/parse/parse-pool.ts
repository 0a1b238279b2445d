/**
 * createParsePool: where HTML parsing runs (`parser.mode`).
 *
 * - `process` (default): worker child processes, each with its own heap
 *   (`--max-old-space-size=workerHeapMb`) and core; a crash or OOM takes down
 *   one worker, never the crawl. IPC uses `serialization: 'advanced'`
 *   (structured clone), so bodies travel as binary Uint8Array.
 * - `thread`: worker threads (`resourceLimits.maxOldGenerationSizeMb`);
 *   cheaper messages, but a native crash takes the whole process down.
 * - `inline`: `parsePage` on the main thread, no isolation and no timeout;
 *   for small crawls, debugging and the benchmark baseline.
 *
 * In every mode the rules are compiled once (per worker, or once on the main
 * thread for inline). See worker-parse-pool.ts for timeouts, retries and
 * recycling, and worker-slot.ts for why each worker sits in its own
 * workerpool Pool.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { autoWorkerCount } from './auto-worker-count.js';
import { InlineParsePool } from './inline-parse-pool.js';
import { assertExtractorModuleExists, resolveExtractorPath } from './load-extractor-module.js';
import { compileExtractRules } from './compile-extract-rules.js';
import { createScopeRules } from '../url/scope.js';
import type { ParsePool, ParseRules, ParserMode } from './parse-types.js';
import { WorkerParsePool } from './worker-parse-pool.js';

export interface ParsePoolOptions {
  /** Where parsing runs. @default "process" (config `parser.mode`) */
  mode: ParserMode;
  /** Worker count, or "auto" for `autoWorkerCount()`. Ignored for inline. @default "auto" */
  workers: number | 'auto';
  rules: ParseRules;
  /** A task running longer is killed and retried once. Not enforced inline. @default 30000 */
  taskTimeoutMs: number;
  /** V8 old-space limit of each worker, MiB. @default 512 */
  workerHeapMb: number;
  /** Backlog at which `waitForCapacity()` starts waiting (the crawler pauses fetching). @default 64 */
  maxQueue: number;
  /** Replace a worker after it has run this many tasks. @default undefined (never) */
  recycleAfterTasks?: number;
  /**
   * Replace a worker once the memory it reports after a task passes this
   * (process: its RSS; thread: its V8 heap, as threads share one RSS).
   * @default undefined (never)
   */
  recycleAboveRssMb?: number;
}

export type { ParsePool } from './parse-types.js';

/** Where the worker entry lives, and what a worker needs to load it. */
export interface WorkerScript {
  /** Absolute path of parse-worker.js (or .ts under tsx). */
  script: string;
  /** Node flags for worker processes. */
  execArgv: string[];
  /** Under tsx only: bootstrap code for worker threads (they cannot load .ts through execArgv on Node 20). */
  threadBootstrap?: string;
}

/** Resolves the worker entry next to this file, in dist/ (built) or src/ (tsx). */
export function resolveWorkerScript(): WorkerScript {
  const selfUrl = import.meta.url;
  if (!selfUrl.endsWith('.ts')) {
    return { script: fileURLToPath(new URL('./parse-worker.js', selfUrl)), execArgv: [] };
  }
  // Running from sources under tsx (development, `tsx --test`): a worker
  // process loads tsx with --import; a worker thread (whose entry module
  // would be resolved before any --import hook applies on Node 20) starts
  // from a small eval'd script that registers tsx, then imports the entry.
  const workerUrl = new URL('./parse-worker.ts', selfUrl).href;
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  return {
    script: fileURLToPath(workerUrl),
    execArgv: ['--import', import.meta.resolve('tsx')],
    threadBootstrap: `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });`,
  };
}

/** The worker count `parser.workers` stands for: "auto" (`autoWorkerCount`) or the number, at least 1. */
export function resolveWorkerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? autoWorkerCount() : Math.max(1, Math.floor(workers));
}

/**
 * Creates the pool. Throws ConfigError at once for invalid scope patterns or
 * an `extract.module` that does not exist; a module that exists but fails to
 * import makes every `parse()` reject with that ConfigError.
 */
export function createParsePool(opts: ParsePoolOptions): ParsePool {
  let rules = opts.rules;
  if (rules.extract.module) {
    assertExtractorModuleExists(rules.extract.module);
    // Workers get the absolute path, whatever their working directory.
    rules = { ...rules, extract: { ...rules.extract, module: resolveExtractorPath(rules.extract.module) } };
  }
  // Scope patterns and extract rules are checked here, before any worker starts (without loading
  // the parser on this process: the workers compile the rules for real).
  createScopeRules(rules.seeds, rules.scope);
  compileExtractRules(rules.extract);

  if (opts.mode === 'inline') return new InlineParsePool(rules, opts.maxQueue);

  const workerScript = resolveWorkerScript();
  if (!existsSync(workerScript.script)) throw new Error(`parser worker script missing: ${workerScript.script} (run the build)`);
  const workers = resolveWorkerCount(opts.workers);
  return new WorkerParsePool({
    mode: opts.mode,
    ...workerScript,
    workers,
    rules,
    taskTimeoutMs: opts.taskTimeoutMs,
    workerHeapMb: opts.workerHeapMb,
    maxQueue: opts.maxQueue,
    ...(opts.recycleAfterTasks !== undefined ? { recycleAfterTasks: opts.recycleAfterTasks } : {}),
    ...(opts.recycleAboveRssMb !== undefined ? { recycleAboveRssMb: opts.recycleAboveRssMb } : {}),
  });
}

