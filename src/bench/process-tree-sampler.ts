/**
 * CPU time and memory of a process tree, read from Linux `/proc` (no
 * dependency, no shelling out): the benchmark's main process plus its
 * descendants (parser worker processes), minus subtrees it is told to ignore
 * (the site server, which runs in a child process so its CPU is not counted
 * as the crawler's). Worker threads share their process's `/proc/<pid>/stat`,
 * so thread mode needs nothing special.
 *
 * Peak RSS is sampled (every `intervalMs`, 100 ms by default), so a spike
 * shorter than that can be missed; CPU of a process is its last sample, so a
 * worker that exits between samples loses at most one interval of CPU (call
 * `sample()` right before closing the pool to avoid that).
 *
 * On platforms without `/proc` it falls back to this process alone
 * (`process.cpuUsage()`, `process.memoryUsage.rss()`), and says so in `source`.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ; 100 on every Linux we know). */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** One process as read from `/proc/<pid>/stat`. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in ms. */
  cpuMs: number;
  rssBytes: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted from the last ")". Pure.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  // After ")": state(3) ppid(4) … utime(14) stime(15) … rss(24); index 0 is field 3.
  const fields = text.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  if (![pid, ppid, utime, stime, rssPages].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND, rssBytes: rssPages * PAGE_BYTES };
}

/**
 * CPU of this process's main thread alone, ms (`/proc/self/task/<pid>/stat`:
 * worker threads, GC helpers and libuv's pool left out); undefined without /proc.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1'))?.cpuMs;
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat`, or undefined when the process is gone (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Child pids of `pid` (all its threads' `children` files; needs Linux >= 3.5). */
export function childPids(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const part of text.trim().split(' ')) if (part !== '') out.push(Number(part));
  }
  return out;
}

/** `root` and its descendants, skipping the subtrees of `ignore`; reads only those processes. */
export function readProcessTree(root: number, ignore: ReadonlySet<number> = new Set()): ProcStat[] {
  const out: ProcStat[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (ignore.has(pid)) continue;
    const stat = readProcStat(pid);
    if (!stat) continue;
    out.push(stat);
    stack.push(...childPids(pid));
  }
  return out;
}

/** What a sampler measured between `start()` and `stop()`. */
export interface TreeUsage {
  /** CPU of the root process (main thread and its worker threads), ms. */
  mainCpuMs: number;
  /** CPU of descendant processes (parser worker processes), ms. */
  childCpuMs: number;
  /** Highest summed RSS of the tree seen in a sample, bytes. */
  peakRssBytes: number;
  /** Highest RSS of the root process alone, and of its descendants together, bytes. */
  peakMainRssBytes: number;
  peakChildRssBytes: number;
  /** Processes seen in the tree (root included). */
  processes: number;
  /** "proc" (whole tree from /proc) or "self" (this process only: no /proc on this platform). */
  source: 'proc' | 'self';
}

/** Samples a process tree's CPU and RSS; see the module comment. */
export class ProcessTreeSampler {
  readonly #root: number;
  readonly #ignore: Set<number>;
  readonly #intervalMs: number;
  readonly #hasProc: boolean;
  /** CPU at start, per pid (processes that already existed). */
  readonly #baseCpuMs = new Map<number, number>();
  /** Last CPU seen per pid. */
  readonly #lastCpuMs = new Map<number, number>();
  #peakRssBytes = 0;
  #peakMainRssBytes = 0;
  #peakChildRssBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #selfStart: NodeJS.CpuUsage | undefined;

  /** @param ignore pids whose subtrees are not counted (the site server). @param intervalMs @default 100 */
  constructor(options: { root?: number; ignore?: Iterable<number>; intervalMs?: number } = {}) {
    this.#root = options.root ?? process.pid;
    this.#ignore = new Set(options.ignore ?? []);
    this.#intervalMs = options.intervalMs ?? 100;
    this.#hasProc = readProcStat(this.#root) !== undefined;
    // Without /proc only this process can be measured (process.cpuUsage, memoryUsage).
    if (!this.#hasProc && this.#root !== process.pid) {
      throw new Error(`cannot sample process ${this.#root}: measuring another process needs /proc (Linux)`);
    }
  }

  start(): void {
    this.#selfStart = process.cpuUsage();
    if (this.#hasProc) {
      for (const stat of readProcessTree(this.#root, this.#ignore)) this.#baseCpuMs.set(stat.pid, stat.cpuMs);
    }
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample now (also called by the timer). */
  sample(): void {
    if (!this.#hasProc) {
      this.#peakRssBytes = Math.max(this.#peakRssBytes, process.memoryUsage.rss());
      this.#peakMainRssBytes = this.#peakRssBytes;
      return;
    }
    let rss = 0;
    let childRss = 0;
    for (const stat of readProcessTree(this.#root, this.#ignore)) {
      rss += stat.rssBytes;
      if (stat.pid === this.#root) this.#peakMainRssBytes = Math.max(this.#peakMainRssBytes, stat.rssBytes);
      else childRss += stat.rssBytes;
      this.#lastCpuMs.set(stat.pid, stat.cpuMs);
    }
    this.#peakRssBytes = Math.max(this.#peakRssBytes, rss);
    this.#peakChildRssBytes = Math.max(this.#peakChildRssBytes, childRss);
  }

  /** Takes a last sample, stops the timer and returns the usage since `start()`. */
  stop(): TreeUsage {
    this.sample();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.#hasProc) {
      const cpu = process.cpuUsage(this.#selfStart);
      const peak = { peakRssBytes: this.#peakRssBytes, peakMainRssBytes: this.#peakMainRssBytes, peakChildRssBytes: 0 };
      return { mainCpuMs: (cpu.user + cpu.system) / 1000, childCpuMs: 0, ...peak, processes: 1, source: 'self' };
    }
    let mainCpuMs = 0;
    let childCpuMs = 0;
    for (const [pid, cpuMs] of this.#lastCpuMs) {
      const used = cpuMs - (this.#baseCpuMs.get(pid) ?? 0);
      if (pid === this.#root) mainCpuMs += used;
      else childCpuMs += used;
    }
    const peak = { peakRssBytes: this.#peakRssBytes, peakMainRssBytes: this.#peakMainRssBytes, peakChildRssBytes: this.#peakChildRssBytes };
    return { mainCpuMs, childCpuMs, ...peak, processes: this.#lastCpuMs.size, source: 'proc' };
  }
}
