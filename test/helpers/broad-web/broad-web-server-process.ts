/**
 * Starts a synthetic broad web's server in a separate Node process (see
 * broad-web-server-child.ts): its clock times requests as they arrive,
 * whatever the crawler's event loop is doing, and its CPU and memory stay
 * out of the crawler's figures.
 */
import { forkEntry, stopForked } from '../../../src/bench/fork-entry.js';
import { readProcStat } from '../../../src/bench/process-tree-sampler.js';
import type { BroadWebOptions, BroadWebPorts } from './broad-web.js';
import type { BroadWebServerOptions, BroadWebServerReport } from './broad-web-server.js';

export interface BroadWebServerProcess {
  ports: BroadWebPorts;
  pid: number;
  /** CPU the server process has used so far, ms (0 where /proc is missing). */
  cpuMs(): number;
  /** What the server saw so far. */
  report(): Promise<BroadWebServerReport>;
  /** Stops the server and waits for the process to exit. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

export async function startBroadWebServerProcess(web: BroadWebOptions, server: BroadWebServerOptions = {}): Promise<BroadWebServerProcess> {
  const { child, message, exited } = await forkEntry<{ ports?: BroadWebPorts }>('broad-web-server-child', { web, server }, START_TIMEOUT_MS, import.meta.url);
  if (!message.ports) {
    child.kill('SIGKILL');
    throw new Error('the broad web server sent no ports');
  }
  const pid = child.pid!;
  return {
    ports: message.ports,
    pid,
    cpuMs: () => readProcStat(pid)?.cpuMs ?? 0,
    report: () =>
      new Promise((resolve, reject) => {
        const onExit = (): void => reject(new Error('the broad web server exited before reporting'));
        child.once('exit', onExit);
        child.once('message', (answer: { report: BroadWebServerReport }) => {
          child.off('exit', onExit);
          resolve(answer.report);
        });
        child.send('report');
      }),
    close: () => stopForked({ child, exited }),
  };
}
