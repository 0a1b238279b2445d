#!/usr/bin/env node
/**
 * The skein command line. The only place that turns errors into exit codes:
 *   0 done · 1 unexpected error · 2 bad config or flags · 3 shared frontier
 *   (Redis) unavailable · 4 nothing crawled (every seed failed) · 130
 *   interrupted (Ctrl-C / SIGTERM / SIGHUP)
 */
import module from 'node:module';
import { Command, CommanderError } from 'commander';
import { ConfigError, CrawlError, FrontierUnavailableError } from '../core/errors.js';
import { buildCommands } from './command-list.js';

// V8's compile cache for the modules loaded from here on, where Node has it (22.1+); Node 20 has
// not, and start-up there rests on loading less (command-list.ts).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

export const EXIT = { ok: 0, error: 1, usage: 2, frontierUnavailable: 3, nothingCrawled: 4, interrupted: 130 } as const;

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('skein')
    .description('A fast, polite, crash-safe web crawler: fetching fans out on the event loop, parsing runs in worker processes.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Each command's module is imported only when it runs (command-list.ts).
  for (const command of buildCommands({ setExitCode })) program.addCommand(command);
  program.addHelpText('after', '\nExamples:\n  $ skein demo\n  $ skein crawl https://example.com/ --max-pages 200\n  $ skein export example.com --format jsonl | jq .title\n  $ skein status example.com');
  return program;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof FrontierUnavailableError) return EXIT.frontierUnavailable;
  return EXIT.error;
}

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    code = exitCodeFor(error);
    if (!(error instanceof CommanderError)) {
      const message = error instanceof CrawlError ? `skein: ${error.message}` : `skein: unexpected error: ${(error as Error).stack ?? String(error)}`;
      process.stderr.write(message + '\n');
    }
  }
  return code;
}

const code = await main(process.argv);
// Let stdout drain (pipes) before exiting.
process.stdout.write('', () => process.exit(code));
