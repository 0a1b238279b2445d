/**
 * Reads and checks a fixture file (a JSON array of nock definitions, the
 * first one possibly carrying skein's crawl metadata). A bad file is a
 * ConfigError naming the file and the entry, like any other bad input.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import { isWarcSource, readWarcFixture } from './read-warc-fixture.js';
import { FIXTURE_VERSION, type FixtureDefinition, type FixtureMeta } from './fixture-definition.js';

/** A loaded fixture. */
export interface Fixture {
  /** Where it was read from (`<inline>` for an array passed in). */
  source: string;
  definitions: FixtureDefinition[];
  /** The recorded crawl, when the file was written by skein. */
  meta?: FixtureMeta;
}

/** Loads a fixture from a path (a JSON fixture, a WARC file or a directory of WARC files), or checks an array of definitions already in memory. */
export async function readFixture(fixture: string | readonly FixtureDefinition[]): Promise<Fixture> {
  if (typeof fixture !== 'string') return checkFixture([...fixture], '<inline>');
  if (await isWarcSource(fixture)) return readWarcFixture(fixture);
  let text: string;
  try {
    text = await readFile(fixture, 'utf8');
  } catch (error) {
    throw new ConfigError('replay', `cannot read the fixture "${fixture}": ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('replay', `the fixture "${fixture}" is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return checkFixture(value, fixture);
}

/** Checks the shape nock.define() needs; returns the definitions and the metadata. */
export function checkFixture(value: unknown, source: string): Fixture {
  if (!Array.isArray(value)) throw new ConfigError('replay', `the fixture "${source}" must hold a JSON array of nock definitions`);
  value.forEach((entry: unknown, index) => {
    const def = entry as Partial<Record<keyof FixtureDefinition, unknown>> | null;
    const problem =
      typeof def !== 'object' || def === null
        ? 'is not an object'
        : typeof def.scope !== 'string' || !/^https?:\/\//i.test(def.scope)
          ? 'needs "scope": an http(s) origin'
          : typeof def.path !== 'string' || !def.path.startsWith('/')
            ? 'needs "path" starting with "/"'
            : typeof def.method !== 'string'
              ? 'needs "method"'
              : undefined;
    if (problem) throw new ConfigError('replay', `the fixture "${source}": entry ${index} ${problem}`);
  });
  const definitions = value as FixtureDefinition[];
  const meta = definitions[0]?.skein;
  if (meta !== undefined && (meta.fixtureVersion !== FIXTURE_VERSION || typeof meta.config !== 'object' || meta.config === null)) {
    throw new ConfigError('replay', `the fixture "${source}" was written by another skein version (fixtureVersion ${String(meta.fixtureVersion)}, expected ${FIXTURE_VERSION})`);
  }
  return { source, definitions, ...(meta ? { meta } : {}) };
}
