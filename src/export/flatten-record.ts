/**
 * Flattening a `PageRecord` into table cells (CSV).
 *
 * - nested objects become dotted columns: `timings.waitMs`, `error.code`,
 *   `fields.price`, `fields.author.name`; an empty object adds no column;
 * - arrays of scalars are one cell, joined with `" | "` (`h2`, `links`);
 * - arrays containing objects or arrays are one JSON-encoded cell (`redirects`);
 * - `undefined` and `null` are empty cells; numbers and booleans as `String()`.
 */
import type { PageRecord } from '../core/types.js';
import { NESTED_KEYS, RECORD_KEYS, REQUIRED_COLUMNS } from './record-fields.js';

/** Separator between the items of an array of scalars in one cell. */
export const ARRAY_SEPARATOR = ' | ';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One cell's text for any value (objects, when selected directly, are JSON). */
export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const scalars = value.every((item) => item === null || typeof item !== 'object');
    return scalars ? value.map((item) => formatCell(item)).join(ARRAY_SEPARATOR) : JSON.stringify(value);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function flattenInto(prefix: string, value: unknown, into: Map<string, string>): void {
  if (value === undefined) return;
  if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) flattenInto(`${prefix}.${key}`, inner, into);
    return;
  }
  into.set(prefix, formatCell(value));
}

/** The record as `column → cell text`, only for the values it has. */
export function flattenRecord(record: PageRecord): Map<string, string> {
  const cells = new Map<string, string>();
  for (const [key, value] of Object.entries(record)) flattenInto(key, value, cells);
  return cells;
}

/** Adds the columns a record has to `columns` (the CSV first pass). */
export function collectColumns(record: PageRecord, columns: Set<string>): void {
  for (const column of flattenRecord(record).keys()) columns.add(column);
}

const TOP_RANK = new Map<string, number>(RECORD_KEYS.map((key, i) => [key, i]));
/** Unknown top-level keys go after the known ones, `fields.*` last of all. */
const UNKNOWN_RANK = RECORD_KEYS.length;
const FIELDS_RANK = RECORD_KEYS.length + 1;

function rankOf(column: string): [number, number] {
  const dot = column.indexOf('.');
  const head = dot === -1 ? column : column.slice(0, dot);
  if (head === 'fields' && dot !== -1) return [FIELDS_RANK, 0];
  const top = TOP_RANK.get(head);
  if (top === undefined) return [UNKNOWN_RANK, 0];
  if (dot === -1) return [top, -1];
  const sub = NESTED_KEYS[head]?.indexOf(column.slice(dot + 1)) ?? -1;
  return [top, sub === -1 ? Number.MAX_SAFE_INTEGER : sub];
}

/**
 * The stable column order for a CSV: the required record columns always,
 * then the record keys that occur, in `PageRecord` declaration order (known
 * sub-keys like `timings.*` in declaration order), then unknown keys sorted,
 * then the discovered `fields.*` columns sorted (by code unit, not locale).
 */
export function orderColumns(discovered: Iterable<string>): string[] {
  const all = new Set<string>(REQUIRED_COLUMNS);
  for (const column of discovered) all.add(column);
  const ranked = [...all].map((column) => ({ column, rank: rankOf(column) }));
  ranked.sort((a, b) => {
    const byTop = a.rank[0] - b.rank[0];
    if (byTop !== 0) return byTop;
    const bySub = a.rank[1] - b.rank[1];
    if (bySub !== 0) return bySub;
    return a.column < b.column ? -1 : a.column > b.column ? 1 : 0;
  });
  return ranked.map((r) => r.column);
}
