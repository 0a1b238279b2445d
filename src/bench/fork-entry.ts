/**
 * Forks one of the benchmark's child entries (a `.js` file next to this one
 * in dist/, or the `.ts` source under tsx) with a JSON payload as argv[2] and
 * an IPC channel, and resolves with the first message it sends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ForkedEntry<M> {
  child: ChildProcess;
  /** The first message the child sent. */
  message: M;
  /** Resolves when the child has exited. */
  exited: Promise<void>;
}

/** `name` without extension, e.g. "site-server-child". Rejects if the child exits or stays silent past `timeoutMs`. */
export function forkEntry<M>(name: string, payload: unknown, timeoutMs: number): Promise<ForkedEntry<M>> {
  const self = import.meta.url;
  const underTsx = self.endsWith('.ts');
  const script = fileURLToPath(new URL(`./${name}${underTsx ? '.ts' : '.js'}`, self));
  const child = fork(script, [JSON.stringify(payload)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The parent's node flags carry over (e.g. `node --cpu-prof dist/bench/run-bench.js` profiles every process).
    execArgv: underTsx ? ['--import', import.meta.resolve('tsx')] : process.execArgv,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} sent nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before answering (code ${code}, signal ${signal})`));
    };
    child.once('exit', onExit);
    child.once('message', (message) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ child, message: message as M, exited });
    });
  });
}
