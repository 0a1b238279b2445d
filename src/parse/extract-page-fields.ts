/**
 * Config-driven extraction for one page, in this order: built-in extractors
 * (`extract.builtins`) → global `extract.fields` → every `extract.rules[i]`
 * whose `urls` match the page (in config order; a later rule overrides a
 * field of the same name). The custom extractor module runs after this, in
 * parsePage. Pure; runs in the parser worker.
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { AnyNode } from 'domhandler';
import type { CompiledExtractRules } from './compile-extract-rules.js';
import { extractFieldsFrom, type FieldProblems } from './extract-fields.js';
import { extractBuiltins } from './extract-structured.js';

/** Field warnings kept per page; the rest are counted in one last warning. */
export const MAX_FIELD_WARNINGS = 20;

export interface PageFieldsInput {
  $: CheerioAPI;
  /** The page's normalised final URL, matched against `rules[i].urls`. */
  pageUrl: string;
  /** The valid `<base href>`, else the page URL. */
  baseUrl: string;
}

export interface PageFields {
  /** Extracted values; undefined when nothing is configured for this page. */
  fields?: Record<string, unknown>;
  warnings: string[];
  /** Set when a required field was missing: the page fails with `required-field-missing`. */
  failedMessage?: string;
  /** Union of the follow selectors of the applicable rule sets; undefined: follow as usual. */
  followSelectors?: string[];
}

/**
 * Runs the compiled rules on a page.
 * @example
 * const result = extractPageFields(compiled, { $, pageUrl: 'https://shop.test/p/1', baseUrl: 'https://shop.test/p/1' });
 * // result.fields → { price: 19.99, reviews: [...] }, result.failedMessage → undefined
 */
export function extractPageFields(rules: CompiledExtractRules, input: PageFieldsInput): PageFields {
  if (rules.empty) return { warnings: [] };
  const { $, pageUrl, baseUrl } = input;
  const builtins = extractBuiltins($, rules.builtins, baseUrl);
  let fields: Record<string, unknown> | undefined = Object.keys(builtins.fields).length > 0 ? builtins.fields : undefined;
  const warnings = builtins.warnings;
  const fieldWarnings: string[] = [];
  const missing: string[] = [];
  let followSelectors: string[] | undefined;

  const root = $.root()[0] as unknown as AnyNode;
  for (const set of rules.sets) {
    if (set.matches !== undefined && !set.matches(pageUrl)) continue;
    if (set.follow !== undefined) followSelectors = [...(followSelectors ?? []), ...set.follow];
    if (set.fields.length === 0) continue;
    const problems: FieldProblems = { missing: [], warnings: [] };
    const values = extractFieldsFrom(set.fields, root, { $, baseUrl }, problems);
    fields = { ...fields, ...values };
    for (const path of problems.missing) missing.push(`${path} (${set.label})`);
    fieldWarnings.push(...problems.warnings);
  }

  warnings.push(...fieldWarnings.slice(0, MAX_FIELD_WARNINGS));
  if (fieldWarnings.length > MAX_FIELD_WARNINGS) warnings.push(`… and ${fieldWarnings.length - MAX_FIELD_WARNINGS} more field warnings`);
  const result: PageFields = { warnings };
  if (fields !== undefined) result.fields = fields;
  if (missing.length > 0) result.failedMessage = `required field${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`;
  if (followSelectors !== undefined) result.followSelectors = followSelectors;
  return result;
}
