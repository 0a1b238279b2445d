/**
 * `skein demo`: serves the bundled generated site on 127.0.0.1 and crawls it,
 * so a fresh clone can see a full crawl with no network at all.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { createGeneratedSite } from '../demo/generated-site.js';
import { startSiteServer } from '../demo/site-server.js';
import { addCrawlFlags, flagsToConfig } from './crawl-flags.js';
import { runCrawl } from './run-crawl.js';

export function demoCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('demo')
    .description('serve the bundled demo site on 127.0.0.1 and crawl it (no network needed); stored as crawl "demo"')
    .addOption(new Option('--pages <n>', 'pages in the generated site (default: 500)').argParser((v) => Number.parseInt(v, 10)))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command);
  command.addHelpText('after', '\nExamples:\n  $ skein demo\n  $ skein demo --pages 2000 --parser thread\n  $ skein export demo --format csv --fields url,status,title');
  command.action(async (options: Record<string, unknown>) => {
    const pages = (options.pages as number | undefined) ?? 500;
    const server = await startSiteServer({ site: createGeneratedSite({ pages }) });
    try {
      // The demo site is our own local server: allow more requests in flight to it than the polite
      // default. Lowest layer, so a config file, SKEIN_* env or --per-host still change it.
      const base = { fetch: { perHostParallelism: 16 } };
      const flags = { name: 'demo', ...flagsToConfig(options), seeds: [server.url + '/'] };
      const config = await loadConfig({ base, ...(options.config ? { file: options.config as string } : {}), flags });
      const { code } = await runCrawl(config, { quiet: Boolean(options.quiet), json: Boolean(options.json), continueBy: 'none' }, { fresh: true });
      setExitCode(code);
    } finally {
      await server.close();
    }
  });
  return command;
}
