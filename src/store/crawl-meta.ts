/**
 * A crawl's `crawl.json`: its name, the validated config it was started with,
 * when it was created and one entry per run (a run without `finishedAt` was
 * killed). Written with lowdb's `JSONFile` (temp file + rename), so it is
 * either the old or the new version after a kill, never half of one.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { CrawlConfig } from '../config/schema.js';
import { StoreError } from '../core/errors.js';
import { makeDirectory } from './make-directory.js';
import { redactConfig } from '../fetch/redact-secrets.js';
import type { CrawlSummary } from '../core/events.js';

/** The format version written into `crawl.json`. */
export const CRAWL_META_VERSION = 1;

/** One run of the crawl (the first start, then each resume). */
export interface CrawlRun {
  /** ISO time the run started. */
  startedAt: string;
  /** ISO time the run ended; absent when it is running or was killed. */
  finishedAt?: string;
  endReason?: CrawlSummary['endReason'];
  summary?: CrawlSummary;
}

export interface CrawlMetaData {
  name: string;
  /** The validated config the crawl was created with, secrets replaced by "[redacted]". */
  config: CrawlConfig;
  /** ISO time the crawl was created. */
  createdAt: string;
  runs: CrawlRun[];
  version: number;
}

export class CrawlMeta {
  readonly file: string;
  /** What is on disk, once read or written. */
  #db: Low<CrawlMetaData> | undefined;

  /** The `crawl.json` at `file`; nothing is read or written until a method is called. */
  constructor(file: string) {
    this.file = file;
  }

  /**
   * Reads the file; undefined when it does not exist. Throws `StoreError`
   * `ERR_STORE_CORRUPT` (naming the file and the bad field) when it is not a
   * valid crawl.json, `ERR_STORE_VERSION` when a newer skein wrote it. Never
   * modifies the file.
   */
  async read(): Promise<CrawlMetaData | undefined> {
    if (!(await exists(this.file))) {
      this.#db = undefined;
      return undefined;
    }
    const db = new Low<unknown>(new JSONFile(this.file), null);
    try {
      await db.read();
    } catch (error) {
      if (error instanceof SyntaxError) throw corrupt(this.file, `it is not valid JSON (${error.message})`, error);
      throw new StoreError('ERR_STORE_READ', `could not read ${this.file}: ${messageOf(error)}`, { cause: error });
    }
    const typed = db as Low<CrawlMetaData>;
    typed.data = await checkMeta(this.file, db.data);
    this.#db = typed;
    return typed.data;
  }

  /** What was last read or written; undefined before that (or when there is no file). */
  get data(): Readonly<CrawlMetaData> | undefined {
    return this.#db?.data;
  }

  /**
   * Records the start of a run: creates the file (and its directory) for a
   * new crawl, or appends a run to an existing one and stores `config` as the
   * crawl's current config. A previous run that never finished (killed) stays
   * as it was, without `finishedAt`.
   */
  async startRun(fullConfig: CrawlConfig, name: string, now: Date = new Date()): Promise<void> {
    // Secrets (header values, proxy credentials) are never written: see fetch/redact-secrets.ts.
    const config = redactConfig(fullConfig);
    const existing = this.#db?.data ?? (await this.read());
    const run: CrawlRun = { startedAt: now.toISOString() };
    if (existing) {
      existing.config = config;
      existing.runs.push(run);
    } else {
      const data: CrawlMetaData = { name, config, createdAt: now.toISOString(), runs: [run], version: CRAWL_META_VERSION };
      this.#db = new Low<CrawlMetaData>(new JSONFile(this.file), data);
      await makeDirectory(path.dirname(this.file)).catch((error: unknown) => {
        throw new StoreError('ERR_STORE_WRITE', `could not create ${path.dirname(this.file)}: ${messageOf(error)}`, {
          cause: error,
        });
      });
    }
    await this.#write();
  }

  /** Records the end of the run in progress. Throws `ERR_STORE_STATE` when no run is in progress. */
  async finishRun(summary: CrawlSummary): Promise<void> {
    const runs = this.#db?.data.runs;
    const run = runs?.at(-1);
    if (!runs || !run || run.finishedAt !== undefined) {
      throw new StoreError('ERR_STORE_STATE', `no run in progress in ${this.file}; call startRun first`);
    }
    runs[runs.length - 1] = { ...run, finishedAt: summary.finishedAt, endReason: summary.endReason, summary };
    await this.#write();
  }

  async #write(): Promise<void> {
    try {
      await this.#db?.write();
    } catch (error) {
      throw new StoreError('ERR_STORE_WRITE', `could not write ${this.file}: ${messageOf(error)}`, {
        retryable: true,
        cause: error,
      });
    }
  }
}

/** Validates what was read from `file`; throws a StoreError naming the file and the field. */
async function checkMeta(file: string, value: unknown): Promise<CrawlMetaData> {
  if (!isRecord(value)) throw corrupt(file, 'expected a JSON object');
  if (typeof value.version !== 'number') throw corrupt(file, '"version" must be a number');
  if (value.version > CRAWL_META_VERSION) {
    throw new StoreError(
      'ERR_STORE_VERSION',
      `${file} was written by a newer skein (version ${value.version}, this one reads ${CRAWL_META_VERSION}); upgrade skein.`,
    );
  }
  if (typeof value.name !== 'string' || value.name === '') throw corrupt(file, '"name" must be a non-empty string');
  if (typeof value.createdAt !== 'string') throw corrupt(file, '"createdAt" must be an ISO date string');
  if (!Array.isArray(value.runs)) throw corrupt(file, '"runs" must be an array');
  for (const [index, run] of value.runs.entries()) {
    if (!isRecord(run) || typeof run.startedAt !== 'string') throw corrupt(file, `"runs.${index}.startedAt" must be an ISO date string`);
  }
  // The schema loads only here: exporting a crawl never reads its config.
  const { crawlConfigSchema } = await import('../config/schema.js');
  const config = crawlConfigSchema.safeParse(value.config);
  if (!config.success) {
    const issue = config.error.issues[0];
    const field = ['config', ...(issue?.path ?? []).map(String)].join('.');
    throw corrupt(file, `"${field}": ${issue?.message ?? 'invalid'}`);
  }
  return {
    name: value.name,
    config: config.data,
    createdAt: value.createdAt,
    runs: value.runs as CrawlRun[],
    version: value.version,
  };
}

function corrupt(file: string, what: string, cause?: unknown): StoreError {
  return new StoreError(
    'ERR_STORE_CORRUPT',
    `corrupt crawl metadata ${file}: ${what}. skein left the file untouched; fix it by hand (it is plain JSON) or restore it from a backup, then run again.`,
    cause === undefined ? {} : { cause },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    // Anything but "missing" (permissions…) is reported by the read that follows.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
