/**
 * The machine a benchmark ran on, recorded next to its figures: CPUs this
 * process may use (`os.availableParallelism()`, and what parser.workers
 * "auto" resolves to, which also honours a cgroup CPU quota), CPU model,
 * memory, Node version.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { autoWorkerCount } from '../parse/auto-worker-count.js';

export interface MachineInfo {
  /** `os.availableParallelism()`. */
  availableParallelism: number;
  /** What `parser.workers: "auto"` resolves to here. */
  autoWorkers: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // no /proc: fall back to os.cpus()
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(): MachineInfo {
  return {
    availableParallelism: os.availableParallelism(),
    autoWorkers: autoWorkerCount(),
    cpuModel: cpuModel(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** One line for a report header. */
export function describeMachine(m: MachineInfo): string {
  return `${m.availableParallelism} CPUs (${m.cpuModel}), ${Math.round(m.totalMemoryMb / 1024)} GiB RAM, node ${m.node}, ${m.platform}`;
}
