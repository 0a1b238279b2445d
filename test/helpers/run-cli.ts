/**
 * Spawns the built `skein` binary like a user would: the bundled CLI that
 * package.json's `bin` names (dist/bundle/cli/main.js, scripts/bundle-cli.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const SKEIN_BIN = resolve('dist/bundle/cli/main.js');
/** The CLI as tsc built it, one module a file (command-imports.test.ts traces its module graph). */
export const TSC_BIN = resolve('dist/src/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
  /** The CLI script to run. @default SKEIN_BIN */
  bin?: string;
}

/** Runs skein with args; resolves when it exits (killed after timeoutMs). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return run(process.execPath, [options.bin ?? SKEIN_BIN, ...args], options);
}

/**
 * Runs a command line skein printed, as a user pastes it into a POSIX shell
 * (`sh -c`), with `skein` standing for the built binary.
 */
export function runPasted(commandLine: string, options: CliOptions = {}): Promise<CliResult> {
  const skein = `skein() { ${JSON.stringify(process.execPath)} ${JSON.stringify(SKEIN_BIN)} "$@"; }`;
  return run('/bin/sh', ['-c', `${skein}\n${commandLine}`], options);
}

function run(file: string, args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...withoutTestSettings(process.env), NODE_ENV: 'production', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/**
 * The environment without the tests' own SKEIN_TEST_* settings (e.g. SKEIN_TEST_SEED, which
 * reproduces a seeded test): skein would read them as SKEIN_* config variables and refuse them.
 */
function withoutTestSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SKEIN_TEST_')));
}
