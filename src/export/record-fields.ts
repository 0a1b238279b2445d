/**
 * The field names an export can select (`--fields url,status,fields.price`):
 * the top-level `PageRecord` keys, the dotted sub-keys of its fixed nested
 * objects (`timings.waitMs`, `error.code`), and `fields.<name>` for the
 * config-driven extracted fields (any name, nested with dots).
 */
import { ConfigError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';

/** Every `PageRecord` key, in declaration order (the column order of exports). */
export const RECORD_KEYS = [
  'key',
  'url',
  'finalUrl',
  'redirects',
  'status',
  'contentType',
  'depth',
  'referrer',
  'fetchedAt',
  'fetched',
  'outcome',
  'reason',
  'error',
  'bytes',
  'timings',
  'title',
  'description',
  'canonical',
  'lang',
  'h1',
  'h2',
  'h3',
  'text',
  'markdown',
  'contentText',
  'contentHash',
  'links',
  'linkText',
  'unfollowable',
  'metaRobots',
  'charset',
  'fields',
  'warnings',
  'node',
  'external',
] as const satisfies readonly (keyof PageRecord)[];

/** Sub-keys of the record's fixed nested objects, in declaration order. */
export const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  error: ['code', 'message'] satisfies (keyof NonNullable<PageRecord['error']>)[],
  timings: ['waitMs', 'downloadMs', 'parseMs', 'totalMs'] satisfies (keyof PageRecord['timings'])[],
};

/** Keys every record has; exported CSVs always have these columns. */
export const REQUIRED_COLUMNS: readonly string[] = [
  'key',
  'url',
  'redirects',
  'depth',
  'fetchedAt',
  'outcome',
  'bytes',
  ...(NESTED_KEYS.timings ?? []).map((k) => `timings.${k}`),
];

// Compile-time guards: a key added to PageRecord must be added above.
type MissingKey = Exclude<keyof PageRecord, (typeof RECORD_KEYS)[number]>;
const allKeysListed: [MissingKey] extends [never] ? true : MissingKey = true;
type RequiredKey = { [K in keyof PageRecord]-?: object extends Pick<PageRecord, K> ? never : K }[keyof PageRecord];
type MissingRequired = Exclude<RequiredKey, 'key' | 'url' | 'redirects' | 'depth' | 'fetchedAt' | 'outcome' | 'bytes' | 'timings'>;
const allRequiredListed: [MissingRequired] extends [never] ? true : MissingRequired = true;
void allKeysListed;
void allRequiredListed;

const TOP_LEVEL = new Set<string>(RECORD_KEYS);

/** Field names for error messages and `--help`. */
export function availableFields(): string[] {
  const names: string[] = [];
  for (const key of RECORD_KEYS) {
    names.push(key);
    for (const sub of NESTED_KEYS[key] ?? []) names.push(`${key}.${sub}`);
  }
  names.push('fields.<name>');
  return names;
}

function isKnownField(name: string): boolean {
  if (TOP_LEVEL.has(name)) return true;
  const dot = name.indexOf('.');
  if (dot === -1) return false;
  const head = name.slice(0, dot);
  const rest = name.slice(dot + 1);
  if (head === 'fields') return rest.length > 0 && !rest.startsWith('.') && !rest.endsWith('.');
  return NESTED_KEYS[head]?.includes(rest) ?? false;
}

/**
 * Validates a field selection: trims names, drops duplicates, keeps order.
 * @throws ConfigError (field `fields`) listing the unknown names and every available one
 */
export function validateFields(fields: readonly string[]): string[] {
  const selected = [...new Set(fields.map((f) => f.trim()))];
  const unknown = selected.filter((f) => !isKnownField(f));
  if (unknown.length > 0 || selected.length === 0) {
    const what = unknown.length > 0 ? `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => JSON.stringify(f)).join(', ')}` : 'no fields selected';
    throw new ConfigError('fields', `${what}; available: ${availableFields().join(', ')}`);
  }
  return selected;
}

/**
 * The path segments a field name resolves to in this record. `fields.a.b`
 * is `['fields', 'a.b']` when the record has a field literally named `a.b`,
 * otherwise `['fields', 'a', 'b']` (a nested value).
 */
export function fieldSegments(record: PageRecord, name: string): string[] {
  if (!name.startsWith('fields.')) return name.split('.');
  const rest = name.slice('fields.'.length);
  if (record.fields !== undefined && Object.hasOwn(record.fields, rest)) return ['fields', rest];
  return ['fields', ...rest.split('.')];
}

/** The value at a validated field name, or `undefined`. */
export function getField(record: PageRecord, name: string): unknown {
  let value: unknown = record;
  for (const segment of fieldSegments(record, name)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * A copy of the record with only the selected fields, nested as in the
 * record (`fields.price` → `{ fields: { price } }`); absent values are left out.
 */
export function pickFields(record: PageRecord, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of fields) {
    const value = getField(record, name);
    if (value === undefined) continue;
    const segments = fieldSegments(record, name);
    let target = out;
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i]!;
      const next = target[segment];
      // Copy on descent: `next` may be the record's own object (`timings` selected too).
      const copy: Record<string, unknown> =
        next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
      target[segment] = copy;
      target = copy;
    }
    target[segments[segments.length - 1]!] = value;
  }
  return out;
}
