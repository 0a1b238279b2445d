/**
 * `skein crawl` flags for recording a crawl's HTTP exchanges and replaying
 * them offline: `--record <file>`, `--replay <file>`, `--replay-politeness`.
 */
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import type { RecordReplayOptions } from '../replay/record-replay.js';

/** What the flags ask of the crawl. */
export interface ReplayFlags {
  /** The fixture's recorded crawl config (seeds included): the lowest config layer. */
  base?: Record<string, unknown>;
  /** For createCrawler; `fresh` when a replay uses its default name (a replay is repeatable). */
  options: RecordReplayOptions & { fresh?: true };
}

/** Adds the record/replay flags to a command. */
export function addReplayFlags(command: Command): Command {
  return command
    .option('--record <file>', 'write every HTTP exchange of this crawl to a nock fixture file (replaced when the crawl ends)')
    .option('--replay <file>', 'run the crawl recorded in a fixture file, a WARC file or a directory of WARC files (--warc) with no network (requests not in it fail as not-recorded)')
    .option('--replay-politeness', 'with --replay: keep the configured delays instead of replaying at full speed');
}

/**
 * Reads the flags. With `--replay`, the fixture is loaded (its recorded config
 * becomes the base layer) and, unless a name was given, the crawl is named
 * `replay-<fixture name>` and replaces an earlier replay of that name.
 * `flags` (dotted config paths) gets the default name.
 */
export async function replayFlagsToOptions(options: Record<string, unknown>, flags: Record<string, unknown>): Promise<ReplayFlags> {
  const record = options.record as string | undefined;
  const replay = options.replay as string | undefined;
  if (record !== undefined && replay !== undefined) throw new ConfigError('record', '--record and --replay cannot be used together');
  if (record !== undefined && options.resume !== undefined) throw new ConfigError('record', 'a resumed crawl cannot be recorded (the fixture would miss what the first run fetched); record a fresh crawl');
  if (options.replayPoliteness && replay === undefined) throw new ConfigError('replay', '--replay-politeness needs --replay <file>');
  if (record !== undefined) return { options: { record } };
  if (replay === undefined) return { options: {} };
  // Imported here: declaring the flags (`skein --help`) and a crawl without --replay need neither.
  const [{ readFixture }, { withoutRedactedValues }] = await Promise.all([import('../replay/read-fixture.js'), import('../fetch/redact-secrets.js')]);
  const fixture = await readFixture(replay);
  let fresh: true | undefined;
  if (flags.name === undefined) {
    flags.name = defaultReplayName(replay);
    fresh = true;
  }
  return {
    // A replay sends nothing: the secrets the recording left out are not needed.
    ...(fixture.meta ? { base: withoutRedactedValues(fixture.meta.config) } : {}),
    options: { replay: { fixture: fixture.definitions, politeness: Boolean(options.replayPoliteness) }, ...(fresh ? { fresh } : {}) },
  };
}

/** `replay-<file name without extension>`, in the characters a crawl name allows. */
export function defaultReplayName(fixturePath: string): string {
  const stem = basename(fixturePath, extname(fixturePath)).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 90);
  return `replay-${stem || 'fixture'}`;
}
