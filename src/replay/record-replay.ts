/**
 * What `--record` and `--replay` add to a crawl, in one object the crawl
 * wiring calls at four points: the fetcher (observer / refusal mapping), the
 * start of the run (open the recording / start nock), its end (commit the
 * fixture) and close (abort a recording that did not finish, stop nock).
 * The writer, nock and the fixture readers are imported only by a crawl that
 * records or replays.
 */
import { crawlConfigSchema, type CrawlConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { redactConfig } from '../fetch/redact-secrets.js';
import type { CrawlEventBus, CrawlSummary } from '../core/events.js';
import type { Fetcher, FetchObserver } from '../fetch/fetcher.js';
import { FIXTURE_VERSION, toDefinition, type FixtureDefinition, type FixtureMeta } from './fixture-definition.js';
import type { FixtureWriter } from './fixture-writer.js';
import type { NockReplay } from './nock-replay.js';

/** Replay settings. */
export interface ReplayOptions {
  /** A fixture file, or its definitions already loaded. */
  fixture: string | readonly FixtureDefinition[];
  /**
   * Keep the configured politeness delays (delay, jitter, robots Crawl-delay,
   * Retry-After and backoff waits). Off: a replay runs as fast as it can.
   * @default false
   */
  politeness?: boolean;
}

export interface RecordReplayOptions {
  /** Record every HTTP exchange to this fixture file (replaced atomically when the crawl ends). */
  record?: string;
  /** Replay a fixture instead of using the network. */
  replay?: ReplayOptions;
}

/** The hooks the crawl wiring calls. */
export interface RecordReplay {
  /** Passed to createFetcher when recording. */
  readonly observer?: FetchObserver;
  /** The fetcher as the crawl should use it (refusals mapped to `not-recorded` when replaying). */
  wrap(fetcher: Fetcher): Fetcher;
  /** Before the first fetch: open the recording, or start nock. */
  start(): Promise<void>;
  /** After the run: commit the fixture (a crawl that was interrupted keeps the old one). */
  finish(summary: CrawlSummary, events: CrawlEventBus): Promise<void>;
  /** Drops an unfinished recording and stops the replay. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The config a replay runs with: without `politeness`, no waiting (host delay,
 * jitter, Crawl-delay and backoff caps at their minimum). Pure.
 */
export function replayConfig(config: CrawlConfig, replay: ReplayOptions | undefined): CrawlConfig {
  if (!replay || replay.politeness) return config;
  return { ...config, politeness: { ...config.politeness, delayMs: 0, jitter: 0, maxCrawlDelayMs: 0, maxBackoffMs: 1 } };
}

/**
 * The part of a config stored in a fixture so that a replay runs the same
 * crawl: the settings that differ from the defaults (seeds included), without
 * name, dataDir and store settings, secrets redacted. Only what was changed is pinned, so the
 * file stays short and still loads after options are added or renamed.
 */
export function fixtureMeta(config: CrawlConfig): FixtureMeta {
  const { name: _name, dataDir: _dataDir, $schema: _schema, store: _store, ...rest } = redactConfig(config);
  const changed = changedFrom(rest, crawlConfigSchema.parse({}));
  return { fixtureVersion: FIXTURE_VERSION, config: (changed ?? {}) as Record<string, unknown> };
}

/** `value` without what equals `base` (deep for plain objects); undefined when nothing differs. */
function changedFrom(value: unknown, base: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value) || !isObject(base)) return JSON.stringify(value) === JSON.stringify(base) ? undefined : value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const changed = changedFrom(entry, base[key]);
    if (changed !== undefined) out[key] = changed;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Creates the hooks; nothing is opened before `start()`. */
export async function createRecordReplay(config: CrawlConfig, options: RecordReplayOptions): Promise<RecordReplay> {
  const { record, replay } = options;
  if (record !== undefined && replay !== undefined) throw new ConfigError('record', 'cannot record and replay in the same crawl');
  const nock = replay ? await import('./nock-replay.js') : undefined;
  let writer: FixtureWriter | undefined;
  let nockReplay: NockReplay | undefined;
  return {
    ...(record !== undefined ? { observer: { onExchange: (exchange) => writer?.add(toDefinition(exchange)) } } : {}),
    wrap: (fetcher) => (nock ? nock.notRecordedFetcher(fetcher) : fetcher),
    async start() {
      if (record !== undefined && !writer) writer = await (await import('./fixture-writer.js')).FixtureWriter.open(record);
      if (replay && nock && !nockReplay) nockReplay = await nock.startNockReplay(await (await import('./read-fixture.js')).readFixture(replay.fixture));
    },
    async finish(summary, events) {
      if (!writer) return;
      if (summary.endReason === 'interrupted') {
        await writer.abort();
        events.emit('log', { level: 'warn', message: `recording discarded (the crawl was interrupted); ${writer.path} is unchanged` });
        return;
      }
      const written = await writer.commit(fixtureMeta(config));
      events.emit('log', { level: 'info', message: `recorded ${written.exchanges} exchanges to ${written.path} (${(written.bytes / 1024).toFixed(1)} KiB)` });
    },
    async close() {
      await writer?.abort();
      await nockReplay?.close();
    },
  };
}
