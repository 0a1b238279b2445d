/**
 * The commands printed after a crawl (continue it, raise its limit, export
 * it), written so that each works when pasted into the same shell: the data
 * directory is kept, a limit that was reached is raised, and a node of a
 * distributed crawl is never told to `--resume`. Pure.
 */
import { commandHint } from '../core/command-hint.js';
import type { CrawlSummary } from '../core/events.js';

export interface NextStepContext {
  /** The crawl's data directory (`config.dataDir`): named in every command unless it is the default. */
  dataDir: string;
  /** The crawl's `scope.maxPages`. */
  maxPages: number;
  /**
   * How this crawl goes on: `resume` (a stored crawl: `skein resume <name>`),
   * `rejoin` (a node of a distributed crawl: the same command again), or
   * `none` (nothing to continue, e.g. `skein demo`, which starts over each time).
   */
  continueBy: 'resume' | 'rejoin' | 'none';
}

/** The lines of advice printed after the summary's counts (each starts with two spaces). */
export function nextSteps(summary: CrawlSummary, context: NextStepContext): string[] {
  const { name, queued } = summary;
  const lines: string[] = [];
  if (queued > 0) {
    if (context.continueBy === 'rejoin') {
      lines.push(`  still queued in the shared crawl: ${queued} (this node rejoins it when the same command runs again)`);
    } else if (context.continueBy === 'resume' && summary.endReason === 'max-pages') {
      const raised = commandHint(['resume', name, '--max-pages', String(context.maxPages * 2)], context.dataDir);
      lines.push(`  limit of ${context.maxPages} pages fetched reached, ${queued} URLs still queued (raise it to go on: ${raised})`);
    } else if (context.continueBy === 'resume') {
      lines.push(`  still queued: ${queued} (continue with: ${commandHint(['resume', name], context.dataDir)})`);
    } else {
      lines.push(`  still queued: ${queued}`);
    }
  }
  lines.push(`  stored in ${summary.dataDir} (export with: ${commandHint(['export', name, '--format', 'jsonl'], context.dataDir)})`);
  return lines;
}

/**
 * When the run got no answer from any of its seeds (every one failed, was
 * unreachable or disallowed by robots.txt) and stored no page: the lines that
 * say so and why; undefined otherwise. Such a run exits with code 4.
 */
export function nothingCrawled(summary: CrawlSummary): string[] | undefined {
  const { seeds } = summary;
  if (summary.endReason === 'interrupted' || summary.pages.ok > 0 || seeds.finished === 0 || seeds.reached > 0) return undefined;
  const robots = seeds.problems.every((p) => p.reason === 'robots');
  const lines = [`nothing crawled: ${robots ? 'robots.txt disallows every seed' : 'every seed failed'}:`];
  for (const problem of seeds.problems) lines.push(`  ${problem.url}: ${problem.reason}: ${problem.message}`);
  if (seeds.finished > seeds.problems.length) lines.push(`  … and ${seeds.finished - seeds.problems.length} more`);
  return lines;
}
