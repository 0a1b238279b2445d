/**
 * Starts the generated demo site in a separate Node process (see
 * site-server-child.ts) and hands back its URL and pid, so a benchmark can
 * leave the server's CPU and memory out of the crawler's figures.
 */
import { forkEntry, stopForked } from './fork-entry.js';
import { readProcStat } from './process-tree-sampler.js';

/** What the child serves (see `GeneratedSiteOptions` / `SiteServerOptions`). */
export interface SiteServerChildOptions {
  pages: number;
  /** @default 25000 */
  pageBytes?: number;
  /** @default 100 */
  linksPerPage?: number;
  /** Bytes of rendered pages the server keeps. @default 64 MiB */
  cacheBytes?: number;
  /** Delay before each response, ms. @default 0 */
  latencyMs?: number;
}

export interface SiteServerProcess {
  /** Base URL, no trailing slash. */
  readonly url: string;
  readonly pid: number;
  /** CPU the server process has used so far, ms (0 where /proc is missing). */
  cpuMs(): number;
  /** Stops the server and waits for the process to exit. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** Forks the server child; resolves once it listens. */
export async function startSiteServerProcess(options: SiteServerChildOptions): Promise<SiteServerProcess> {
  const { child, message, exited } = await forkEntry<{ url?: unknown }>('site-server-child', options, START_TIMEOUT_MS);
  if (typeof message.url !== 'string') {
    child.kill('SIGKILL');
    throw new Error('the benchmark site server sent no URL');
  }
  const pid = child.pid!;
  return {
    url: message.url,
    pid,
    cpuMs: () => readProcStat(pid)?.cpuMs ?? 0,
    close: () => stopForked({ child, exited }),
  };
}
