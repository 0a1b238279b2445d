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

/**
 * `name` without extension, e.g. "site-server-child", found next to the module
 * `from` (an `import.meta.url`; this one's by default). Rejects if the child
 * exits or stays silent past `timeoutMs`.
 */
export function forkEntry<M>(name: string, payload: unknown, timeoutMs: number, from = import.meta.url): Promise<ForkedEntry<M>> {
  const underTsx = from.endsWith('.ts');
  const script = fileURLToPath(new URL(`./${name}${underTsx ? '.ts' : '.js'}`, from));
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

/** Asks a forked server child to close (`"close"`), waits for it to exit, kills it after `graceMs`. */
export async function stopForked(entry: Pick<ForkedEntry<unknown>, 'child' | 'exited'>, graceMs = 5_000): Promise<void> {
  const { child, exited } = entry;
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send('close');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
