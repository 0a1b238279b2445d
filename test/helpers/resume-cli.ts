/**
 * Runs the built skein binary and SIGKILLs it when a condition becomes true
 * (polled), for the kill/resume tests.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { runCli, type CliResult } from './run-cli.js';
import { segmentNames } from './resume-state.js';

export interface KilledRun extends CliResult {
  /** True when the condition was met and the process was SIGKILLed (false: it exited first). */
  killed: boolean;
}

/**
 * Spawns `skein <args>` and polls `killWhen` every `pollMs` while it runs;
 * the first time it returns true the process gets SIGKILL. A process that
 * exits first is reported with `killed: false`.
 */
export function runCliAndKill(
  args: string[],
  killWhen: (elapsedMs: number) => Promise<boolean> | boolean,
  options: { env?: NodeJS.ProcessEnv; pollMs?: number; timeoutMs?: number } = {},
): Promise<KilledRun> {
  let killed = false;
  let exited = false;
  const startedAt = Date.now();
  const watch = (child: ChildProcess) => {
    child.once('exit', () => (exited = true));
    const poll = async (): Promise<void> => {
      if (exited) return;
      const now = await Promise.resolve(killWhen(Date.now() - startedAt)).catch(() => false);
      if (now) {
        if (!exited) killed = child.kill('SIGKILL');
        return;
      }
      setTimeout(() => void poll(), options.pollMs ?? 5);
    };
    void poll();
  };
  return runCli(args, { ...(options.env ? { env: options.env } : {}), timeoutMs: options.timeoutMs ?? 60_000, onSpawn: watch }).then((result) => ({
    ...result,
    killed: killed && result.signal === 'SIGKILL',
  }));
}

/** Store settings for kill tests: small batches, so segments appear often. */
export const KILL_TEST_ENV = { SKEIN_STORE__BATCH_SIZE: '50' };

/**
 * Crawls `seedUrl` as `name` in `dataDir` and SIGKILLs skein once `segments`
 * page segments are on disk: a crawl state with pages stored and a queue
 * left, as a crash leaves it. Rejects if skein finished first.
 */
export async function interruptedCrawl(dataDir: string, name: string, seedUrl: string, segments = 2): Promise<void> {
  const pagesDir = path.join(dataDir, name, 'pages');
  const run = await runCliAndKill(
    ['crawl', seedUrl, '--name', name, '--data-dir', dataDir, '--concurrency', '8', '--per-host', '8', '--workers', '1', '-q'],
    async () => (await segmentNames(pagesDir)).length >= segments,
    { env: KILL_TEST_ENV },
  );
  if (!run.killed) throw new Error(`the crawl was not interrupted (exit ${run.code}): ${run.stderr}`);
}
