/**
 * Extraction options: the built-in record fields (text, links), config-driven
 * field rules (CSS selector → value), URL-scoped rule sets, built-in
 * structured-data extractors, selector-limited link following and a custom
 * extractor module. See docs/extraction.md for the full reference.
 *
 * The schema checks shapes; `compileExtractRules` (src/parse) checks what a
 * shape cannot say (selectors parse, regexes compile, `take`/`attr` agree) and
 * names the exact rule and field on error. Both run in `validateConfig`,
 * before any worker starts.
 */
import { z } from 'zod';
import { contentSchema } from './content-schema.js';

/** A post-processing step, applied in order to each taken string. */
export type PostProcessStep =
  | 'trim'
  | 'number'
  | 'date'
  | 'url'
  | { regex: string; group?: number | string; flags?: string }
  | { number: { decimal?: '.' | ',' } }
  | { date: { dayFirst?: boolean } };

/**
 * One named field. A bare string is shorthand for `{ selector: "<string>" }`
 * (the text of the first match).
 */
export type FieldRule =
  | string
  | {
      /** CSS selector (cheerio / css-select syntax). Absent: the page itself, or the current item inside `fields`. */
      selector?: string;
      /** What to take from a matched element. @default "text" (or "attr" when `attr` is set) */
      take?: 'text' | 'html' | 'outerHtml' | 'attr';
      /** Attribute name, for `take: "attr"`. */
      attr?: string;
      /** Every match as a list instead of the first match. @default false */
      all?: boolean;
      /** Post-processing steps, in order. @default [] */
      process?: PostProcessStep[];
      /** Sub-fields, evaluated inside each matched element: makes an object (or a list of objects with `all`). */
      fields?: Record<string, FieldRule>;
      /** Value used when nothing is found. @default null (or [] with `all`) */
      default?: unknown;
      /** A page where this field is missing (and has no default) is recorded as failed, reason `required-field-missing`. @default false */
      required?: boolean;
    };

/** Field names: letters, digits, `_` and `-` (not `__proto__`), so that CSV columns (`fields.a.b`) stay unambiguous. */
export const FIELD_NAME = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_-]*$/;

type UnionIssue = { input?: unknown; errors?: Array<Array<{ path: PropertyKey[]; message: string }>> };

/**
 * A union's error names what was expected; for an object input, it also
 * gives the object branch's first problem (`take: Invalid option: ...`).
 */
function unionMessage(expected: string, objectBranch: number) {
  return (issue: UnionIssue): string => {
    const input = issue.input;
    const first = issue.errors?.[objectBranch]?.[0];
    if (input !== null && typeof input === 'object' && !Array.isArray(input) && first !== undefined) {
      return first.path.length > 0 ? `${first.path.map(String).join('.')}: ${first.message}` : first.message;
    }
    return `expected ${expected}`;
  };
}

const postProcessStep: z.ZodType<PostProcessStep> = z.union([
  z.enum(['trim', 'number', 'date', 'url']),
  z.object({ regex: z.string().min(1), group: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(), flags: z.string().optional() }).strict(),
  z.object({ number: z.object({ decimal: z.enum(['.', ',']).optional() }).strict() }).strict(),
  z.object({ date: z.object({ dayFirst: z.boolean().optional() }).strict() }).strict(),
], { error: (issue) => unionMessage('"trim", "number", "date", "url", { "regex": "…", "group": 1 }, { "number": { "decimal": "," } } or { "date": { "dayFirst": true } }', -1)(issue as UnionIssue) });

const FIELD_NAME_RULE = 'field names use letters, digits, "_" and "-" and start with a letter or "_"';
const fieldName = z.string().regex(FIELD_NAME, FIELD_NAME_RULE);
const keyError = (issue: { code?: string; input?: unknown }): string | undefined =>
  issue.code === 'invalid_key' ? `invalid field name ${JSON.stringify(issue.input)}: ${FIELD_NAME_RULE}` : undefined;

export const fieldRuleSchema: z.ZodType<FieldRule> = z.lazy(() =>
  z.union([
    z.string().trim().min(1, 'expected a CSS selector'),
    z
      .object({
        selector: z.string().trim().min(1, 'expected a CSS selector').optional(),
        take: z.enum(['text', 'html', 'outerHtml', 'attr']).optional(),
        attr: z.string().min(1).optional(),
        all: z.boolean().optional(),
        process: z.array(postProcessStep).optional(),
        fields: z.record(fieldName, fieldRuleSchema, { error: keyError }).optional(),
        default: z.unknown().optional(),
        required: z.boolean().optional(),
      })
      .strict(),
  ], { error: (issue) => unionMessage('a CSS selector string or a rule object { selector, take, attr, all, process, fields, default, required }', 1)(issue as UnionIssue) }),
).meta({ id: 'fieldRule', description: 'A CSS selector string, or { selector, take, attr, all, process, fields, default, required }.' });

/** Named fields: `{ "price": { "selector": ".price", "process": ["number"] } }`. */
export const fieldsSchema = z
  .record(fieldName, fieldRuleSchema, { error: keyError })
  .describe('Named field rules: a CSS selector string, or { selector, take, attr, all, process, fields, default, required }. See docs/extraction.md.');

/** Which links to follow, by selector. */
export const followSchema = z
  .object({
    /**
     * Only links matched by these selectors (an `<a href>`/`<area href>` itself,
     * or any such link inside a matched element) are followed; they still pass
     * the scope rules. An empty list follows nothing.
     */
    selectors: z
      .array(z.string().trim().min(1, 'expected a CSS selector'))
      .describe('CSS selectors of the links to follow (a matched element that is not a link contributes the links inside it); [] follows nothing.'),
  })
  .strict();

/** A set of fields (and follow selectors) for the pages whose URL matches. */
export const extractRuleSchema = z
  .object({
    /** A label for logs and errors. */
    name: z.string().min(1).optional(),
    /** URL patterns (globs or /regex/, as in scope.include) matched against the page's normalised final URL. Absent: every page. */
    urls: z.array(z.string()).optional(),
    /** Fields extracted from matching pages. @default {} */
    fields: fieldsSchema.default({}),
    /** Selector-limited link following on matching pages. */
    follow: followSchema.optional(),
  })
  .strict();

/** Built-in extractors; each writes one key of `record.fields` when switched on. */
export const builtinsSchema = z
  .object({
    /** Every `<script type="application/ld+json">` block, parsed, as `fields.jsonLd` (a list); invalid blocks become warnings. @default false */
    jsonLd: z.boolean().default(false).describe('Parse every JSON-LD block into fields.jsonLd (a list); invalid blocks are reported in warnings.'),
    /** `<meta property="og:*">` as `fields.openGraph`. @default false */
    openGraph: z.boolean().default(false).describe('OpenGraph meta tags (property="og:*") as fields.openGraph.'),
    /** `<meta name="twitter:*">` as `fields.twitter`. @default false */
    twitter: z.boolean().default(false).describe('Twitter card meta tags (name="twitter:*") as fields.twitter.'),
    /** Top-level microdata items (itemscope/itemprop, no itemref) as `fields.microdata`. @default false */
    microdata: z.boolean().default(false).describe('Microdata items (itemscope/itemtype/itemprop; itemref is not followed) as fields.microdata.'),
    /** `<link rel="alternate" hreflang>` as `fields.hreflang`: `[{ lang, url }]`. @default false */
    hreflang: z.boolean().default(false).describe('hreflang alternates as fields.hreflang: [{ lang, url }].'),
    /** RSS/Atom/JSON feed links as `fields.feeds`: `[{ url, type, title }]`. @default false */
    feeds: z.boolean().default(false).describe('RSS / Atom / JSON Feed links as fields.feeds: [{ url, type, title }].'),
  })
  .strict();

export const extractSchema = z
  .object({
    /** Keep the visible text of each page. @default true */
    text: z.boolean().default(true).describe('Store the visible text of each page (scripts and styles excluded).'),
    /** Keep the outgoing links of each page. @default true */
    links: z.boolean().default(true).describe('Store the outgoing links of each page.'),
    /**
     * A custom extractor module (path relative to the working directory), loaded
     * inside the parser workers. Its default export receives `{ $, url, html }`
     * and returns fields merged into `record.fields`.
     */
    module: z.string().min(1).optional().describe('Path to a custom extractor module, loaded in the parser workers; its default export returns extra fields.'),
    /** Fields extracted from every page. @default {} */
    fields: fieldsSchema.default({}),
    /** URL-scoped rule sets, applied in order after `fields` (a later rule overrides a field of the same name). @default [] */
    rules: z.array(extractRuleSchema).default([]).describe('URL-scoped rule sets: [{ name, urls, fields, follow }]; every rule whose urls match the page applies, in order.'),
    /** Built-in structured-data extractors, all off by default. */
    builtins: builtinsSchema.prefault({}),
    /** Selector-limited link following on every page (rules can add selectors for their pages). */
    follow: followSchema.optional().describe('Follow only links matched by these CSS selectors: { selectors: [".pagination a", "a.product"] }.'),
    /** Main content as Markdown and plain text (off by default). */
    content: contentSchema.prefault({}),
  })
  .strict();

export type ExtractConfig = z.output<typeof extractSchema>;
export type ExtractRule = z.output<typeof extractRuleSchema>;
export type BuiltinsConfig = z.output<typeof builtinsSchema>;
