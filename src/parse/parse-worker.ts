/**
 * Parser worker entry: runs as a child process (`parser.mode: process`) or a
 * worker thread (`thread`), started by `parse-pool.ts` through workerpool.
 *
 * Protocol (two methods):
 * - `init(rules, reportMemory)` is the first call on every worker, exactly once: the
 *   crawl-wide ParseRules arrive over the worker's own channel (IPC for a
 *   process, postMessage for a thread; no size limit, unlike an environment
 *   variable), are compiled once (normaliser, scope matchers) and the
 *   `extract.module` is imported once. Returns the worker's identity.
 * - `parse(inputs)` parses a batch of pages (one or more, in order) with the
 *   compiled rules. It never throws for a page problem: each page gets its
 *   own `{ ok: true, page }` or `{ ok: false, code, message }`, so errors
 *   cross the boundary as plain data (workerpool would JSON-serialise an
 *   Error, and a non-serialisable `cause` could kill the worker).
 *
 * When `init` asks for it, every result carries the worker's memory use, so
 * the pool can recycle a worker that grows (`recycleAboveRssMb`).
 */
import module from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';
import workerpool from 'workerpool';
import type { ParsedPage } from '../core/types.js';
import { importCheerio } from './cheerio-loader.js';
import { extractNeedsCheerio } from './compile-extract-rules.js';
import { loadExtractorModule } from './load-extractor-module.js';
import { compileParseRules, parsePage, type CompiledParseRules } from './parse-page.js';
import type { ParseInput, ParseRules } from './parse-types.js';

/** Who a worker is, as returned by `init`. */
export interface WorkerIdentity {
  pid: number;
  /** 0 in a child process. */
  threadId: number;
}

export type WorkerInitResult =
  | ({ ok: true } & WorkerIdentity)
  | { ok: false; code: string; message: string; field?: string };

/** One page's outcome. */
export type PageParseResult = { ok: true; page: ParsedPage } | { ok: false; code: string; message: string };

/** A batch's outcomes, in input order, and the worker's memory after it (0 unless `init` asked for it). */
export interface WorkerParseResult {
  results: PageParseResult[];
  memoryMb: number;
}

// V8's compile cache where Node has it (22.1+; not on Node 20): a worker starts faster the second time.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

let compiled: CompiledParseRules | undefined;
/** Measure memory after each batch: only the pool's `recycleAboveRssMb` reads it, and reading RSS costs a few system calls. */
let reportMemory = false;

/**
 * Memory this worker holds, in MiB: the process RSS for a child process; for
 * a thread (which shares the process RSS) the size of its own V8 heap.
 */
function memoryMb(): number {
  const bytes = isMainThread ? process.memoryUsage.rss() : getHeapStatistics().total_heap_size;
  return Math.round(bytes / (1024 * 1024));
}

function describe(error: unknown): { code: string; message: string; field?: string } {
  if (error instanceof Error) {
    const { code, field } = error as Error & { code?: unknown; field?: unknown };
    const described: { code: string; message: string; field?: string } = {
      code: typeof code === 'string' ? code : 'ERR_PARSE',
      message: error.message,
    };
    if (typeof field === 'string') described.field = field;
    return described;
  }
  return { code: 'ERR_PARSE', message: String(error) };
}

async function init(rules: ParseRules, withMemory = false): Promise<WorkerInitResult> {
  reportMemory = withMemory;
  try {
    // cheerio only for rules that need a DOM (imported, not required: one copy shared with htmlparser2).
    if (extractNeedsCheerio(rules.extract)) await importCheerio();
    const extractor = rules.extract.module ? await loadExtractorModule(rules.extract.module) : undefined;
    compiled = compileParseRules(rules, extractor);
    return { ok: true, pid: process.pid, threadId };
  } catch (error) {
    return { ok: false, ...describe(error) };
  }
}

function parseOne(input: ParseInput): PageParseResult {
  if (compiled === undefined) return { ok: false, code: 'ERR_WORKER_NOT_READY', message: 'parse called before init' };
  try {
    return { ok: true, page: parsePage(input, compiled) };
  } catch (error) {
    return { ok: false, ...describe(error) };
  }
}

function parse(inputs: ParseInput[]): WorkerParseResult {
  return { results: inputs.map(parseOne), memoryMb: reportMemory ? memoryMb() : 0 };
}

workerpool.worker({ init, parse });
