/**
 * `skein worker --redis … --crawl-id …`: join a distributed crawl someone
 * else seeded. The crawl's config comes from Redis; the flags here only size
 * this node (where it stores, how many requests and parsers it runs).
 */
import type { ActionContext } from './command-list.js';
import { flagsToConfig } from './crawl-flags.js';
import { redisFlagsFrom } from './redis-flags.js';
import { runNode } from './run-node.js';
import { loadConfig } from '../config/load-config.js';

/** Runs `skein worker` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, options: Record<string, unknown>): Promise<void> {
  const flags = redisFlagsFrom(options);
  const local = await loadConfig({ flags: flagsToConfig(options) });
  setExitCode(await runNode(flags, local, undefined, { quiet: Boolean(options.quiet), json: Boolean(options.json) }));
}
