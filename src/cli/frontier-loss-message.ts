/**
 * What a node prints when it stops because of its shared frontier (exit 3):
 * the error, what it kept on its own disk, and the command that continues
 * the crawl (its own command line, the password shown as ***, with its
 * node id added when it had the default one, so that the node finds its
 * store again), with `--recover` added when the crawl's state in Redis was
 * lost.
 */
import { shellWord } from '../core/command-hint.js';
import { FrontierUnavailableError } from '../core/errors.js';
import { parseRedisUrl, redact } from '../distributed/redis-connection.js';
import type { CrawlPaths } from '../store/crawl-dir.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import type { RedisFlags } from './redis-flags.js';

/** `error` with what the node kept and how to continue appended to its message. */
export async function explainFrontierLoss(error: FrontierUnavailableError, context: { flags: RedisFlags; node?: CrawlPaths; nodeId?: string; argv?: string[] }): Promise<FrontierUnavailableError> {
  const lines = [error.message];
  if (context.node) {
    const stored = await storedPages(context.node);
    if (stored !== undefined) lines.push(`  Kept on this node's disk: ${stored} stored page(s) (all its runs) and its frontier journal, in ${context.node.dir}/.`);
  }
  const given = context.argv ?? process.argv.slice(2);
  const sameNode = context.nodeId !== undefined && !given.some((arg) => arg === '--node-id' || arg.startsWith('--node-id=')) ? ['--node-id', context.nodeId] : [];
  const redis = parseRedisUrl(context.flags.redisUrl, context.flags.redisCluster ? { cluster: true } : {});
  const argv = [...given, ...sameNode].map((arg) => shellWord(redact(arg, redis)));
  if (error.code === 'ERR_FRONTIER_STATE_LOST') {
    const command = argv.includes('--recover') ? argv : [...argv, '--recover'];
    lines.push(
      `  To continue, rebuild the crawl from what its nodes stored: run every node again with --recover added (each adds the node stores and journals in its --data-dir; what Redis already has is skipped). This node:`,
      `    skein ${command.join(' ')}`,
      `  Or start over under another --crawl-id.`,
    );
  } else if (error.code === 'ERR_FRONTIER_LOST') {
    lines.push(`  Its unfinished pages go back to the queue when their leases expire, or at once when it runs again. When Redis answers again, rejoin with the same command:`, `    skein ${argv.join(' ')}`);
  } else {
    return error;
  }
  if (argv.some((arg) => arg.includes('***'))) lines.push('  (the password is shown as ***: type it, or pass the URL in SKEIN_REDIS_URL)');
  return new FrontierUnavailableError(error.code, lines.join('\n'), { retryable: error.retryable, cause: error });
}

async function storedPages(paths: CrawlPaths): Promise<number | undefined> {
  try {
    const store = await LowdbPageStore.open(paths.pages);
    const size = store.size;
    await store.close();
    return size;
  } catch {
    return undefined;
  }
}
