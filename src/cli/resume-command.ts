/**
 * `skein resume <name> [flags]`: an alias of `skein crawl --resume <name>
 * [flags]`. Everything after the name goes to `skein crawl` unchanged, so the
 * two spellings cannot drift apart.
 */
import { buildCommand, type ActionContext } from './command-list.js';

/** The arguments `skein resume <name> ...rest` stand for. */
export function resumeAsCrawlArgs(name: string, rest: readonly string[]): string[] {
  return ['--resume', name, ...rest];
}

/** Runs `skein resume` (declared in command-list.ts) as `skein crawl --resume`. */
export async function action(context: ActionContext, name: string, rest: string[]): Promise<void> {
  await buildCommand('crawl', context).parseAsync(resumeAsCrawlArgs(name, rest), { from: 'user' });
}
