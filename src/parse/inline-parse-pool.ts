/**
 * `parser.mode: inline`: parsePage on the main thread. Same contract as the
 * worker pools (rules compiled once, extractor imported once, errors as
 * ParseError), but no isolation and no timeout: a page that loops forever
 * blocks the crawl, and a crash is the crawl's crash. Meant for small crawls,
 * debugging, and as the benchmark baseline. The parser's modules are imported
 * on the first page, so that a crawl in another mode never loads them on its
 * main process (createParsePool imports this file whatever the mode).
 */
import { ParseError } from '../core/errors.js';
import type { ParsedPage } from '../core/types.js';
import { loadExtractorModule } from './load-extractor-module.js';
import type { CompiledParseRules } from './parse-page.js';
import type { ParseInput, ParsePool, ParsePoolStats, ParseRules } from './parse-types.js';

type ParsePage = (typeof import('./parse-page.js'))['parsePage'];

export class InlineParsePool implements ParsePool {
  private compiled: Promise<{ rules: CompiledParseRules; parsePage: ParsePage }> | undefined;
  private readonly waiters: Array<() => void> = [];
  private inFlight = 0;
  private busy = 0;
  private tasksDone = 0;
  private closed = false;

  constructor(
    private readonly rules: ParseRules,
    private readonly maxQueue: number,
  ) {}

  get backlog(): number {
    return this.inFlight;
  }

  /** Imports the parser, compiles the rules and imports the extractor, once, on first use. */
  private ready(): Promise<{ rules: CompiledParseRules; parsePage: ParsePage }> {
    this.compiled ??= (async () => {
      const { compileParseRules, parsePage } = await import('./parse-page.js');
      const extractor = this.rules.extract.module ? await loadExtractorModule(this.rules.extract.module) : undefined;
      return { rules: compileParseRules(this.rules, extractor), parsePage };
    })();
    return this.compiled;
  }

  async parse(input: ParseInput): Promise<ParsedPage> {
    if (this.closed) throw new ParseError('ERR_POOL_CLOSED', 'the parse pool is closed');
    this.inFlight++;
    try {
      const { rules, parsePage } = await this.ready();
      this.busy++;
      try {
        return parsePage(input, rules);
      } catch (error) {
        if (error instanceof ParseError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ParseError('ERR_PARSE', `parsing ${input.url} failed: ${reason}`, { cause: error });
      } finally {
        this.busy--;
        this.tasksDone++;
      }
    } finally {
      this.inFlight--;
      if (this.inFlight < this.maxQueue) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  waitForCapacity(): Promise<void> {
    if (this.inFlight < this.maxQueue || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats(): ParsePoolStats {
    return { mode: 'inline', workers: 1, busy: this.busy, queued: 0, tasksDone: this.tasksDone, crashes: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
