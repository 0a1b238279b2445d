/**
 * `skein demo`: serves the bundled generated site on 127.0.0.1 and crawls it,
 * so a fresh clone can see a full crawl with no network at all.
 */
import type { ActionContext } from './command-list.js';
import { flagsToConfig } from './crawl-flags.js';
import { loadConfig } from '../config/load-config.js';
import { createGeneratedSite } from '../demo/generated-site.js';
import { startSiteServer } from '../demo/site-server.js';
import { runCrawl } from './run-crawl.js';

/** Runs `skein demo` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, options: Record<string, unknown>): Promise<void> {
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
}
