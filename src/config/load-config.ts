/**
 * Builds the one validated `CrawlConfig` from its sources, in precedence order:
 * schema defaults < config file < SKEIN_* environment variables < CLI flags.
 * Every problem becomes a ConfigError naming the field and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError as JsoncError } from 'jsonc-parser';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { crawlConfigSchema, type CrawlConfig } from './schema.js';
import { compileUrlPatterns } from '../url/url-patterns.js';
import { compileExtractRules } from '../parse/compile-extract-rules.js';
import { readCaBundles } from '../fetch/tls-policy.js';
import { envRefNames, redactedPaths, redactUrlCredentials, REDACTED } from '../fetch/redact-secrets.js';

/** A partial config as read from any source: nested plain objects. */
export type ConfigLayer = Record<string, unknown>;

export interface ConfigSources {
  /** A stored crawl's config (resume); the lowest layer above the defaults. */
  base?: ConfigLayer;
  /** Path of a JSON config file. */
  file?: string;
  /** Environment (SKEIN_* variables are read). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Values from flags, as dotted paths (e.g. { 'scope.maxPages': 100 }). */
  flags?: Record<string, unknown>;
}

/**
 * Reads a JSON config file (comments and trailing commas allowed); errors name
 * the file and line. A relative `dataDir` in it is relative to the file's
 * folder (as in most tools' config files), not to the working directory.
 */
export async function readConfigFile(file: string): Promise<ConfigLayer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('config', `cannot read config file "${file}": ${(error as Error).message}`, { cause: error });
  }
  const errors: JsoncError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const line = text.slice(0, first.offset).split('\n').length;
    throw new ConfigError('config', `config file "${file}" is not valid JSON (line ${line}: ${printParseErrorCode(first.error)})`);
  }
  if (!isPlainObject(value)) throw new ConfigError('config', `config file "${file}" must hold a JSON object`);
  if (typeof value.dataDir === 'string' && value.dataDir !== '' && !path.isAbsolute(value.dataDir)) {
    value.dataDir = path.join(path.dirname(file), value.dataDir);
  }
  resolveCaPaths(value, path.dirname(file));
  const warc = isPlainObject(value.output) && isPlainObject(value.output.warc) ? value.output.warc : undefined;
  if (warc && typeof warc.dir === 'string' && warc.dir !== '' && !path.isAbsolute(warc.dir)) warc.dir = path.join(path.dirname(file), warc.dir);
  return value;
}

/** Relative `fetch.tls.ca` paths of a config file are relative to its folder (as `dataDir` is). */
function resolveCaPaths(layer: ConfigLayer, dir: string): void {
  const tls = isPlainObject(layer.fetch) && isPlainObject(layer.fetch.tls) ? layer.fetch.tls : undefined;
  if (!tls || tls.ca === undefined) return;
  const resolve = (file: unknown): unknown => (typeof file === 'string' && file !== '' ? path.resolve(dir, file) : file);
  tls.ca = Array.isArray(tls.ca) ? tls.ca.map(resolve) : resolve(tls.ca);
}

/**
 * SKEIN_* variables map to dotted paths: `SKEIN_FETCH__CONCURRENCY=8` sets
 * `fetch.concurrency` (double underscore separates levels, single underscores
 * become camelCase). Values are parsed as JSON when they look like it
 * (numbers, booleans, arrays), else taken as strings.
 */
export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SKEIN_') || raw === undefined) continue;
    if (name === 'SKEIN_CONFIG' || name === 'SKEIN_REDIS_URL') continue;
    const path = name
      .slice('SKEIN_'.length)
      .split('__')
      .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
      .join('.');
    setPath(layer, path, parseEnvValue(raw));
  }
  return layer;
}

function parseEnvValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (/^(true|false|null|-?\d+(\.\d+)?|\[.*\]|\{.*\})$/s.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Turns { 'a.b': 1 } into { a: { b: 1 } }. */
export function dottedToNested(flags: Record<string, unknown>): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [path, value] of Object.entries(flags)) if (value !== undefined) setPath(layer, path, value);
  return layer;
}

/** Deep merge of plain objects; arrays and scalars of later layers replace earlier ones. */
export function mergeLayers(...layers: ConfigLayer[]): ConfigLayer {
  const out: ConfigLayer = {};
  for (const layer of layers) mergeInto(out, layer);
  return out;
}

/** Validates a merged layer; the first problem becomes a ConfigError. */
export function validateConfig(input: unknown): CrawlConfig {
  const result = crawlConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw configErrorFrom(result.error);
  const config = result.data;
  for (const key of ['include', 'exclude'] as const) {
    compileUrlPatterns(config.scope[key], `scope.${key}`);
  }
  compileExtractRules(config.extract); // selectors, regexes, URL patterns: ConfigError naming the rule and field
  dropShadowedRedactions(config.fetch.headers);
  for (const headers of Object.values(config.fetch.hostHeaders)) dropShadowedRedactions(headers);
  const redacted = redactedPaths(config)[0];
  if (redacted !== undefined) {
    throw new ConfigError(
      redacted,
      `holds "${REDACTED}": secrets are never stored, so a resumed or joined crawl needs them again. Give the value again (the same --config file, or an SKEIN_* variable), or write it as "\${env:NAME}" so that it is read from the environment each time`,
    );
  }
  return config;
}

/**
 * A header given again under another case (SKEIN_FETCH__HEADERS__AUTHORIZATION gives
 * `authorization`) replaces the stored `[redacted]` one (`Authorization`).
 */
function dropShadowedRedactions(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== REDACTED) continue;
    const given = Object.keys(headers).some((other) => other !== name && other.toLowerCase() === name.toLowerCase() && headers[other] !== REDACTED);
    if (given) delete headers[name];
  }
}

/** Every `${env:NAME}` a config's headers and proxies refer to must be set: a ConfigError naming the field otherwise. */
export function checkEnvRefs(config: CrawlConfig, env: NodeJS.ProcessEnv): void {
  const fields: [string, string][] = [
    ...Object.entries(config.fetch.headers).map(([name, value]): [string, string] => [`fetch.headers.${name}`, value]),
    ...Object.entries(config.fetch.hostHeaders).flatMap(([host, headers]) => Object.entries(headers).map(([name, value]): [string, string] => [`fetch.hostHeaders.${host}.${name}`, value])),
  ];
  for (const [field, value] of fields) {
    const missing = envRefNames(value).find((name) => env[name] === undefined);
    if (missing !== undefined) throw new ConfigError(field, `refers to the environment variable ${missing} ("\${env:${missing}}"), which is not set`);
  }
}

/** Loads and validates a config from file, environment and flags. */
export async function loadConfig(sources: ConfigSources): Promise<CrawlConfig> {
  const fileLayer = sources.file ? await readConfigFile(sources.file) : {};
  const env = sources.env ?? process.env;
  const layers = [sources.base ?? {}, fileLayer, envLayer(env), dottedToNested(sources.flags ?? {})];
  const config = validateConfig(mergeLayers(...layers));
  checkEnvRefs(config, env);
  // CA files are read now: a bad one stops the command before anything is written.
  const { tls } = config.fetch;
  if (tls.ca !== undefined) tls.ca = Array.isArray(tls.ca) ? tls.ca.map((file) => path.resolve(file)) : path.resolve(tls.ca);
  readCaBundles(tls);
  return config;
}

/** Problems listed in one config error message; the rest are counted. */
const MAX_LISTED_ISSUES = 5;
/** Longest quoted value in a message (longer ones are cut with "…"). */
const MAX_QUOTED_CHARS = 80;

/**
 * One ConfigError for every problem zod found: the first names `field`; each
 * problem is a line `path: what was expected, got <the value, quoted>`.
 */
export function configErrorFrom(error: z.ZodError): ConfigError {
  const [first, ...rest] = error.issues;
  if (!first) return new ConfigError('config', 'invalid config');
  const listed = rest.slice(0, MAX_LISTED_ISSUES - 1).map((issue) => `\n  ${fieldPath(issue.path)}: ${describeIssue(issue)}`);
  if (rest.length > listed.length) listed.push(`\n  … and ${rest.length - listed.length} more problem(s)`);
  return new ConfigError(fieldPath(first.path), describeIssue(first) + listed.join(''), { cause: error });
}

/** `['seeds', 1]` → `seeds[1]`; `['scope', 'maxDepth']` → `scope.maxDepth`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || 'config';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue ? `, got ${describeValue(issue.input, issue.code === 'invalid_type')}` : '';
  // A message the schema wrote itself (e.g. "expected a CSS selector") is kept as it is.
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return `${issue.message}${got}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}${got}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
    case 'too_big':
      return `expected ${bound(issue)}${got}`;
    default:
      return `${issue.message}${got}`;
  }
}

/** zod's own wording, replaced by the descriptions below. */
const ZOD_DEFAULT_MESSAGE = /^(Too small|Too big|Invalid option|Invalid input|Unrecognized key)/;

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = String(small ? issue.minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const op = `${small ? '>' : '<'}${issue.inclusive ? '=' : ''}`;
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `a number ${op} ${limit}`;
  const unit = issue.origin === 'string' ? 'characters' : 'items';
  return `${small ? 'at least' : 'at most'} ${limit} ${unit}`;
}

/** A value as a user wrote it (JSON, cut at MAX_QUOTED_CHARS); `withKind` names its type too ("the string …"). */
export function describeValue(value: unknown, withKind = false): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    // A URL's credentials (a proxy's) are never printed.
    text = JSON.stringify(typeof value === 'string' ? redactUrlCredentials(value) : value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length > MAX_QUOTED_CHARS) text = `${text.slice(0, MAX_QUOTED_CHARS - 1)}…${typeof value === 'string' ? '"' : ''}`;
  if (!withKind || value === null) return text;
  const kind = Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  return `the ${kind} ${text}`;
}

function setPath(target: ConfigLayer, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: ConfigLayer = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) node[part] = {};
    node = node[part] as ConfigLayer;
  }
  node[parts[parts.length - 1]!] = value;
}

function mergeInto(target: ConfigLayer, source: ConfigLayer): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) mergeInto(existing, value);
    else if (isPlainObject(value)) {
      const copy: ConfigLayer = {};
      mergeInto(copy, value);
      target[key] = copy;
    } else target[key] = value;
  }
}

function isPlainObject(value: unknown): value is ConfigLayer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
