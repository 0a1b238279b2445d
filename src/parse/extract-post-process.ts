/**
 * Post-processing of extracted strings: trim, regex capture, number and date
 * parsing, absolute URL resolution. Pure functions; a step that cannot
 * produce a value returns a reason instead (the field then counts as missing).
 */
import type { CompiledStep } from './compile-extract-rules.js';

export type StepResult = { ok: true; value: string | number } | { ok: false; reason: string };

/** A number written with optional group separators (`1,299.00`, `1 299,00`, `1'299`) or none. */
const NUMBER_TOKEN = /[-\u2212]?(?:\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)/;

/**
 * The first number in a text: `"€ 1.299,00"` with decimal `,` → 1299,
 * `"$1,299.99"` → 1299.99, `"-3"` → -3. Group separators (space, `'`, and
 * whichever of `.`/`,` is not the decimal) are dropped; a decimal mark that
 * occurs more than once was a group separator too. Undefined when no digits.
 */
export function parseNumber(text: string, decimal: '.' | ','): number | undefined {
  const match = NUMBER_TOKEN.exec(text);
  if (match === null) return undefined;
  const group = decimal === '.' ? ',' : '.';
  let token = match[0].replace('\u2212', '-').replace(/[ '\u00a0\u202f]/g, '').split(group).join('');
  if (token.split(decimal).length > 2) token = token.split(decimal).join('');
  const value = Number(decimal === ',' ? token.replace(',', '.') : token);
  return Number.isFinite(value) ? value : undefined;
}

const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const HAS_ZONE = /(Z|GMT|UTC|[+-]\d{2}:?\d{2})\s*$/i;
const NUMERIC_DATE = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A date or date-time as an ISO 8601 string in UTC (`2024-05-01T00:00:00.000Z`).
 * Accepts ISO 8601, RFC 2822 / `toString` forms (`1 May 2024`, `May 1, 2024 10:00`)
 * and numeric `m/d/yyyy` (or `d/m/yyyy` with `dayFirst`; `.` and `-` too).
 * A value without a time zone is taken as UTC, so results do not depend on
 * the machine's zone. Undefined when the text is not a date or has no
 * 4-digit year.
 */
export function parseDateIso(text: string, dayFirst: boolean): string | undefined {
  const s = text.trim();
  // V8's fallback parser reads almost anything ("Product 12" → 2001-12-01): insist on a 4-digit year.
  if (!/\d{4}/.test(s)) return undefined;
  let ms: number;
  const numeric = NUMERIC_DATE.exec(s);
  if (numeric !== null) {
    const [a, b] = [Number(numeric[1]), Number(numeric[2])];
    const [day, month] = dayFirst ? [a, b] : [b, a];
    const [year, hours, minutes, seconds] = [Number(numeric[3]), Number(numeric[4] ?? 0), Number(numeric[5] ?? 0), Number(numeric[6] ?? 0)];
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    ms = Date.UTC(year, month - 1, day, hours, minutes, seconds);
    if (new Date(ms).getUTCDate() !== day) return undefined; // 31/02
  } else if (ISO_WITHOUT_ZONE.test(s)) {
    ms = Date.parse(`${s.replace(' ', 'T')}Z`);
  } else if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s) || HAS_ZONE.test(s)) {
    ms = Date.parse(s);
  } else {
    ms = Date.parse(`${s} UTC`);
    if (Number.isNaN(ms)) ms = Date.parse(s);
  }
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `href` resolved against `baseUrl` (the page's `<base href>` or URL); undefined when invalid. */
export function resolveUrl(href: string, baseUrl: string): string | undefined {
  try {
    return new URL(href.trim(), baseUrl).href;
  } catch {
    return undefined;
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** Runs one step on a value. */
export function applyStep(value: string, step: CompiledStep, baseUrl: string): StepResult {
  switch (step.kind) {
    case 'trim':
      return { ok: true, value: value.trim() };
    case 'regex': {
      const match = step.re.exec(value);
      const captured = match === null ? undefined : typeof step.group === 'number' ? match[step.group] : match.groups?.[step.group];
      return captured === undefined ? { ok: false, reason: `${quote(value)} does not match /${step.re.source}/` } : { ok: true, value: captured };
    }
    case 'number': {
      const parsed = parseNumber(value, step.decimal);
      return parsed === undefined ? { ok: false, reason: `${quote(value)} is not a number` } : { ok: true, value: parsed };
    }
    case 'date': {
      const parsed = parseDateIso(value, step.dayFirst);
      return parsed === undefined ? { ok: false, reason: `${quote(value)} is not a date` } : { ok: true, value: parsed };
    }
    case 'url': {
      const parsed = resolveUrl(value, baseUrl);
      return parsed === undefined ? { ok: false, reason: `${quote(value)} is not a URL` } : { ok: true, value: parsed };
    }
  }
}

/** Runs every step in order; a number produced mid-way is handed to the next step as text. */
export function applySteps(value: string, steps: readonly CompiledStep[], baseUrl: string): StepResult {
  let current: string | number = value;
  for (const step of steps) {
    const result = applyStep(typeof current === 'string' ? current : String(current), step, baseUrl);
    if (!result.ok) return result;
    current = result.value;
  }
  return { ok: true, value: current };
}
