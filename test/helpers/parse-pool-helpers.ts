/**
 * Test helpers for parse-pool tests: the misbehaving extractor fixture, its
 * per-call log, and bounded polling.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the test extractor, relative to the repo root (the working directory under npm test). */
export const TEST_EXTRACTOR = 'test/fixtures/parse/test-extractor.mjs';
export const NO_DEFAULT_EXTRACTOR = 'test/fixtures/parse/no-default-extractor.mjs';

export interface ExtractorLogEntry {
  pid: number;
  threadId: number;
  at: number;
  path: string;
}

/** A temp file the extractor appends one line to per call (`?log=`), removed by `dispose()`. */
export function extractorLog(): { file: string; entries(): ExtractorLogEntry[]; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'skein-parse-test-'));
  const file = join(dir, 'calls.jsonl');
  return {
    file,
    entries() {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ExtractorLogEntry);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
