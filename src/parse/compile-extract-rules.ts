/**
 * Compiles the `extract` config into ready-to-run rules: URL matchers,
 * RegExps, checked selectors, resolved `take` and defaults. Runs once on the
 * main process at start-up (from `validateConfig`, so a bad selector or regex
 * is a ConfigError before any worker starts) and once per parser worker.
 * Errors name the exact config path: `extract.rules[1].fields.price.selector`.
 */
import type { CheerioAPI } from 'cheerio/slim';
import { cheerioNow } from './cheerio-loader.js';
import type { ContentConfig } from '../config/content-schema.js';
import type { BuiltinsConfig, ExtractConfig, FieldRule, PostProcessStep } from '../config/extract-schema.js';
import { ConfigError } from '../core/errors.js';
import { compileUrlPatterns, type UrlMatcher } from '../url/url-patterns.js';
import { HTML_PARSER_OPTIONS } from './html-parser-options.js';

/** What a field takes from a matched element. */
export type TakeKind = 'text' | 'html' | 'outerHtml' | 'attr';

/** A post-processing step with its RegExp compiled. */
export type CompiledStep =
  | { kind: 'trim' }
  | { kind: 'regex'; re: RegExp; group: number | string }
  | { kind: 'number'; decimal: '.' | ',' }
  | { kind: 'date'; dayFirst: boolean }
  | { kind: 'url' };

export interface CompiledField {
  name: string;
  /** Config path of the rule, for messages (`extract.rules[0].fields.price`). */
  path: string;
  /** Absent: the context element itself (the page, or the current list item). */
  selector?: string;
  take: TakeKind;
  attr?: string;
  all: boolean;
  steps: CompiledStep[];
  /** Sub-fields: the value is an object (a list of objects with `all`). */
  fields?: CompiledField[];
  /** Value when missing: the configured default, else null (or [] with `all`). */
  fallback: unknown;
  hasDefault: boolean;
  required: boolean;
}

/** The global fields (no URL matcher) or one `extract.rules[i]`. */
export interface CompiledRuleSet {
  /** Config path (`extract` or `extract.rules[2]`) plus the rule's name, for messages. */
  label: string;
  /** Absent: applies to every page. */
  matches?: UrlMatcher;
  fields: CompiledField[];
  /** Follow selectors this set adds on its pages; absent: no opinion. */
  follow?: string[];
}

export interface CompiledExtractRules {
  sets: CompiledRuleSet[];
  builtins: BuiltinsConfig;
  /** Nothing to do beyond the built-in record fields (fast path); says nothing about `content`. */
  empty: boolean;
  /** `extract.content`: main content as Markdown and text. */
  content: CompiledContentRules;
}

/**
 * True when `extract` needs cheerio: CSS selectors (fields, rules, follow,
 * content include/exclude), Markdown content, or an extractor module (it gets
 * a cheerio document). The built-in fields alone do not.
 */
export function extractNeedsCheerio(extract: ExtractConfig): boolean {
  const { content } = extract;
  return (
    extract.module !== undefined ||
    Object.keys(extract.fields).length > 0 ||
    extract.rules.length > 0 ||
    extract.follow !== undefined ||
    content.enabled ||
    content.include.length > 0 ||
    content.exclude.length > 0
  );
}

let probe: CheerioAPI | undefined;

/** Parses a selector with cheerio's own engine; ConfigError naming `path` if it does not parse. */
export function checkSelector(selector: string, path: string): void {
  probe ??= cheerioNow().load('<html><head></head><body><div><p></p></div></body></html>', { xml: HTML_PARSER_OPTIONS });
  try {
    probe.root().find(selector);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(path, `invalid CSS selector ${JSON.stringify(selector)} (${detail})`, { cause });
  }
}

function compileRegex(source: string, flags: string, path: string): RegExp {
  try {
    return new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(path, `invalid regular expression ${JSON.stringify(source)} (${detail})`, { cause });
  }
}

function compileStep(step: PostProcessStep, path: string): CompiledStep {
  if (step === 'trim' || step === 'url') return { kind: step };
  if (step === 'number') return { kind: 'number', decimal: '.' };
  if (step === 'date') return { kind: 'date', dayFirst: false };
  if ('number' in step) return { kind: 'number', decimal: step.number.decimal ?? '.' };
  if ('date' in step) return { kind: 'date', dayFirst: step.date.dayFirst ?? false };
  const re = compileRegex(step.regex, step.flags ?? '', `${path}.regex`);
  // An alternation with the empty string always matches: it reveals the group count and names.
  const probeMatch = new RegExp(`${re.source}|`, re.flags).exec('')!;
  const groupCount = probeMatch.length - 1;
  const group = step.group ?? (groupCount > 0 ? 1 : 0);
  if (typeof group === 'number' && group > groupCount) {
    throw new ConfigError(`${path}.group`, `group ${group} does not exist: ${JSON.stringify(step.regex)} has ${groupCount} capture group${groupCount === 1 ? '' : 's'}`);
  }
  if (typeof group === 'string' && !(probeMatch.groups && group in probeMatch.groups)) {
    throw new ConfigError(`${path}.group`, `no named group "${group}" in ${JSON.stringify(step.regex)}`);
  }
  return { kind: 'regex', re, group };
}

function compileField(name: string, rule: FieldRule, path: string): CompiledField {
  const spec = typeof rule === 'string' ? { selector: rule } : rule;
  if (spec.selector !== undefined) checkSelector(spec.selector, `${path}.selector`);
  const all = spec.all ?? false;
  const required = spec.required ?? false;
  const hasDefault = spec.default !== undefined;
  const fallback = hasDefault ? spec.default : all ? [] : null;
  const base = { name, path, ...(spec.selector !== undefined ? { selector: spec.selector } : {}), all, fallback, hasDefault, required };

  if (spec.fields !== undefined) {
    for (const key of ['take', 'attr', 'process'] as const) {
      if (spec[key] !== undefined) throw new ConfigError(`${path}.${key}`, 'a field with sub-fields takes nothing itself: set "take", "attr" and "process" on its sub-fields');
    }
    const fields = Object.entries(spec.fields).map(([sub, subRule]) => compileField(sub, subRule, `${path}.fields.${sub}`));
    return { ...base, take: 'text', steps: [], fields };
  }
  const take: TakeKind = spec.take ?? (spec.attr !== undefined ? 'attr' : 'text');
  if (take === 'attr' && spec.attr === undefined) throw new ConfigError(`${path}.attr`, 'expected an attribute name for take "attr"');
  if (take !== 'attr' && spec.attr !== undefined) throw new ConfigError(`${path}.attr`, `"attr" is only used with take "attr", not "${take}"`);
  const steps = (spec.process ?? []).map((step, i) => compileStep(step, `${path}.process[${i}]`));
  return { ...base, take, ...(spec.attr !== undefined ? { attr: spec.attr } : {}), steps };
}

function compileFields(fields: Record<string, FieldRule>, path: string): CompiledField[] {
  return Object.entries(fields).map(([name, rule]) => compileField(name, rule, `${path}.fields.${name}`));
}

function compileFollow(selectors: readonly string[] | undefined, path: string): string[] | undefined {
  if (selectors === undefined) return undefined;
  selectors.forEach((selector, i) => checkSelector(selector, `${path}.follow.selectors[${i}]`));
  return [...selectors];
}

/** `extract.content` with its selectors checked. */
export type CompiledContentRules = ContentConfig;

/**
 * Checks `extract.content` (every include/exclude selector parses).
 * @throws ConfigError naming the selector, e.g. `extract.content.exclude[1]: invalid CSS selector "div[" (…)`
 */
export function compileContentRules(config: ContentConfig, field = 'extract.content'): CompiledContentRules {
  config.include.forEach((selector, i) => checkSelector(selector, `${field}.include[${i}]`));
  config.exclude.forEach((selector, i) => checkSelector(selector, `${field}.exclude[${i}]`));
  return config;
}

/**
 * Compiles `extract`. The global `fields`/`follow` form the first rule set;
 * each `extract.rules[i]` follows in order.
 * @param extract the validated `extract` section
 * @param field config path of the section, for messages @default "extract"
 * @throws ConfigError naming the rule and field, e.g.
 *   `extract.rules[1].fields.price.selector: invalid CSS selector "div[" (…)`
 */
export function compileExtractRules(extract: ExtractConfig, field = 'extract'): CompiledExtractRules {
  const sets: CompiledRuleSet[] = [];
  const globalFollow = compileFollow(extract.follow?.selectors, field);
  const globalFields = compileFields(extract.fields, field);
  if (globalFields.length > 0 || globalFollow !== undefined) {
    sets.push({ label: field, fields: globalFields, ...(globalFollow !== undefined ? { follow: globalFollow } : {}) });
  }
  extract.rules.forEach((rule, i) => {
    const path = `${field}.rules[${i}]`;
    const matches = rule.urls === undefined ? undefined : compileUrlPatterns(rule.urls, `${path}.urls`);
    const follow = compileFollow(rule.follow?.selectors, path);
    sets.push({
      label: rule.name === undefined ? path : `${path} "${rule.name}"`,
      ...(matches !== undefined ? { matches } : {}),
      fields: compileFields(rule.fields, path),
      ...(follow !== undefined ? { follow } : {}),
    });
  });
  const anyBuiltin = Object.values(extract.builtins).some(Boolean);
  const content = compileContentRules(extract.content, `${field}.content`);
  return { sets, builtins: extract.builtins, empty: sets.length === 0 && !anyBuiltin, content };
}
