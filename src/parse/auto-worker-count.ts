/**
 * How many parser workers "auto" means: the CPUs this process may actually
 * use, minus one for the main process, minimum 1.
 *
 * Why minus one: the main process is a full-time CPU consumer of its own. It
 * runs every fetch (got, sockets), sends bodies to the workers and receives
 * their records, writes the store and dedups links: ~0.9 CPU ms per page in
 * the 10,000-page benchmark, against ~1 ms in a worker. On 2 cores a second
 * worker still adds 12–22% pages/s now that workers take pages in batches
 * (806 / 814 vs 658 / 720), but each worker process costs ~85 MB of RSS and
 * the tree then passes 360 MB; one worker per core left both workers idle
 * much of the time before batching (docs/performance.md). Extraction that is
 * much heavier than the built-ins (large cheerio rule sets, a slow custom
 * extractor) can use every core: `skein bench` measures that for a site, and
 * `parser.workers` sets it.
 *
 * `os.availableParallelism()` honours the CPU affinity mask (taskset,
 * `docker --cpuset-cpus`), but the libuv in Node 20 (1.46) ignores cgroup CPU
 * quotas (`docker --cpus=2`, Kubernetes `limits.cpu`); libuv reads them only
 * from 1.49. So the quota is read here as well, and the smaller number wins.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPUs allowed by the cgroup CPU quota (v2 `cpu.max`, or v1
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us`), rounded down, at least 1;
 * undefined when there is no quota.
 */
export function cgroupCpuLimit(root = '/sys/fs/cgroup'): number | undefined {
  let quota: number | undefined;
  let period: number | undefined;
  const v2 = readText(`${root}/cpu.max`);
  if (v2 !== undefined) {
    const [q, p] = v2.split(/\s+/);
    if (q !== 'max') {
      quota = Number(q);
      period = Number(p);
    }
  } else {
    const q = readText(`${root}/cpu/cpu.cfs_quota_us`);
    const p = readText(`${root}/cpu/cpu.cfs_period_us`);
    if (q !== undefined && p !== undefined && Number(q) > 0) {
      quota = Number(q);
      period = Number(p);
    }
  }
  if (quota === undefined || period === undefined || !(quota > 0) || !(period > 0)) return undefined;
  return Math.max(1, Math.floor(quota / period));
}

/** The CPUs this process may use: `min(os.availableParallelism(), cgroup CPU quota)`, at least 1. */
export function usableCpuCount(): number {
  const cpus = availableParallelism();
  const quota = cgroupCpuLimit();
  return Math.max(1, quota === undefined ? cpus : Math.min(cpus, quota));
}

/** Parser workers for `parser.workers: "auto"`: one per usable CPU but the main process's, at least 1. */
export function autoWorkerCount(cpus = usableCpuCount()): number {
  return Math.max(1, cpus - 1);
}
