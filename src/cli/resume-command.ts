/**
 * `skein resume <name> [flags]`: an alias of `skein crawl --resume <name>
 * [flags]`. Everything after the name goes to `skein crawl` unchanged, so the
 * two spellings cannot drift apart.
 */
import { Command } from 'commander';
import { crawlCommand } from './crawl-command.js';

/** The arguments `skein resume <name> ...rest` stands for. */
export function resumeAsCrawlArgs(name: string, rest: readonly string[]): string[] {
  return ['--resume', name, ...rest];
}

export function resumeCommand(setExitCode: (code: number) => void): Command {
  return new Command('resume')
    .description('continue a stored crawl with its stored config (same as: skein crawl --resume <name>)')
    .argument('<name>', 'crawl name (a directory under --data-dir)')
    .argument('[crawl-flags...]', 'any `skein crawl` flag, e.g. --data-dir, --concurrency, --force, --json')
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Scope settings (--scope, --include, --exclude, --max-depth, seeds…) must match
the stored crawl; pass --force to accept a change. A wider scope is really
crawled: the links of every stored page are checked against it again and the
ones it now allows are queued (--no-include / --no-exclude drop the stored
patterns). A narrower one applies to links found from then on (requests already
queued are still fetched). Other settings (--concurrency, --max-pages, --delay…)
may change and are stored for the next resume; the changes are listed first.

Exit codes: 0 done · 1 the stored state is damaged (the message names the file;
skein changes nothing on disk) · 2 bad flags, no such crawl, or a scope change
without --force · 4 nothing crawled (every seed of this run failed) · 130
interrupted (resume again to continue).

Examples:
  $ skein resume example.com
  $ skein resume example.com --data-dir crawls --concurrency 8
  $ skein resume example.com --max-depth 3 --force
  $ skein resume example.com --no-exclude --force`,
    )
    .action(async (name: string, rest: string[]) => {
      const crawl = crawlCommand(setExitCode).exitOverride();
      await crawl.parseAsync(resumeAsCrawlArgs(name, rest), { from: 'user' });
    });
}
