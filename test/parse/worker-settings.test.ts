import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoWorkerCount, cgroupCpuLimit, usableCpuCount } from '../../src/parse/auto-worker-count.js';
import { threadExecArgv, WORKER_SEMI_SPACE_MB, workerProcessExecArgv } from '../../src/parse/worker-slot.js';

describe('threadExecArgv', () => {
  const cases: Array<[string[], string[]]> = [
    [[], []],
    [['--enable-source-maps'], ['--enable-source-maps']],
    [['--input-type=module', '--enable-source-maps', '-e', 'code()'], ['--enable-source-maps']],
    [['--input-type', 'module', '--print', '1', '--eval=x', '--import', 'tsx'], ['--import', 'tsx']],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(threadExecArgv(input), expected));
  }
});

describe('workerProcessExecArgv', () => {
  test('caps the heap and the young generation (semi-space) of every worker process', () => {
    assert.deepEqual(workerProcessExecArgv(512, []), ['--max-old-space-size=512', `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
  });
  test('extra flags come last, so they can override the defaults', () => {
    assert.deepEqual(workerProcessExecArgv(256, ['--import', 'tsx', '--max-semi-space-size=16']).slice(2), ['--import', 'tsx', '--max-semi-space-size=16']);
  });
});

describe('cgroupCpuLimit', () => {
  const cases: Array<{ name: string; files: Record<string, string>; expected: number | undefined }> = [
    { name: 'no cgroup files', files: {}, expected: undefined },
    { name: 'v2 without quota', files: { 'cpu.max': 'max 100000\n' }, expected: undefined },
    { name: 'v2 quota of 2 CPUs', files: { 'cpu.max': '200000 100000\n' }, expected: 2 },
    { name: 'v2 fractional quota rounds down', files: { 'cpu.max': '250000 100000' }, expected: 2 },
    { name: 'v2 quota below one CPU is 1', files: { 'cpu.max': '50000 100000' }, expected: 1 },
    { name: 'v1 quota', files: { 'cpu/cpu.cfs_quota_us': '300000', 'cpu/cpu.cfs_period_us': '100000' }, expected: 3 },
    { name: 'v1 unlimited', files: { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' }, expected: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const root = mkdtempSync(join(tmpdir(), 'skein-cgroup-'));
      try {
        for (const [file, content] of Object.entries(c.files)) {
          mkdirSync(join(root, file, '..'), { recursive: true });
          writeFileSync(join(root, file), content);
        }
        assert.equal(cgroupCpuLimit(root), c.expected);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test('usableCpuCount is between 1 and os.availableParallelism()', () => {
    const cpus = usableCpuCount();
    assert.ok(Number.isInteger(cpus) && cpus >= 1 && cpus <= availableParallelism(), String(cpus));
  });

  test('autoWorkerCount leaves one CPU to the main process, and is at least 1', () => {
    assert.deepEqual([1, 2, 4, 8].map((cpus) => autoWorkerCount(cpus)), [1, 1, 3, 7]);
  });
});
