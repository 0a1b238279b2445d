/**
 * parsePage: raw page bytes in, plain record plus outgoing links out.
 * Pure and synchronous (no I/O); runs inside a parser worker, or on the main
 * thread in `inline` mode. Rules are compiled once per worker.
 *
 * Steps: decode the charset → one streaming htmlparser2 pass for metadata,
 * headings, text and links (scan-document.ts; htmlparser2 is the parser
 * cheerio runs in htmlparser2 mode, about 3× faster than parse5 and tolerant
 * of any markup) → robots directives → link resolution, normalisation and
 * scope → only when configured, cheerio's DOM for config-driven fields,
 * built-ins and follow selectors (extract-page-fields.ts) and the custom
 * extractor.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Document } from 'domhandler';
import type { ParsedPage } from '../core/types.js';
import { ParseError } from '../core/errors.js';
import { createUrlNormalizer, type UrlNormalizer } from '../url/normalize-url.js';
import { createScopeRules, type ScopeRules } from '../url/scope.js';
import { compileExtractRules, type CompiledExtractRules } from './compile-extract-rules.js';
import { cheerioNow } from './cheerio-loader.js';
import { decodeBody } from './decode-body.js';
import { selectFollowLinks } from './extract-follow.js';
import { extractLinks, parseBaseHref, resolveBaseUrl } from './extract-links.js';
import { mergeRobotsDirectives, parseMetaRobots, parseXRobotsTag } from './extract-metadata.js';
import { extractContent } from './extract-content.js';
import { extractPageFields } from './extract-page-fields.js';
import type { CustomExtractor } from './load-extractor-module.js';
import type { ParseInput, ParseRules } from './parse-types.js';
import { HTML_PARSER_OPTIONS } from './html-parser-options.js';
import { scanDocument, scanDocumentWithDom, type ScannedDocument } from './scan-document.js';

/** ParseRules with everything expensive done once: normaliser, scope matchers, extractor. */
export interface CompiledParseRules {
  readonly rules: ParseRules;
  readonly normalize: UrlNormalizer;
  readonly scope: ScopeRules;
  /** Field rules, built-ins and follow selectors (`extract.*`, see compile-extract-rules.ts). */
  readonly extract: CompiledExtractRules;
  /** The loaded `extract.module`, if any (see `loadExtractorModule`). */
  readonly extractor?: CustomExtractor;
  /** Scopes widened by `ParseInput.extraSeeds`, compiled once per distinct list (see `scopeFor`). */
  readonly widened: Map<string, ScopeRules>;
}

/**
 * Compiles the crawl-wide rules. Throws ConfigError for invalid scope
 * patterns. The extractor is loaded separately (it is async) and passed in.
 */
export function compileParseRules(rules: ParseRules, extractor?: CustomExtractor): CompiledParseRules {
  const normalize = createUrlNormalizer({ stripParams: rules.scope.stripParams, sortParams: rules.scope.sortParams });
  const scope = createScopeRules(rules.seeds, rules.scope);
  const extract = compileExtractRules(rules.extract);
  const widened = new Map<string, ScopeRules>();
  return extractor ? { rules, normalize, scope, extract, extractor, widened } : { rules, normalize, scope, extract, widened };
}

/** Distinct widened scopes kept per worker; a crawl has one list at a time, growing now and then. */
const MAX_WIDENED_SCOPES = 4;

/** The scope for one page: the crawl's, or with the seeds' redirect targets as seeds too. */
function scopeFor(compiled: CompiledParseRules, extraSeeds: readonly string[] | undefined): ScopeRules {
  if (extraSeeds === undefined || extraSeeds.length === 0) return compiled.scope;
  // The list only grows (see ParseInput.extraSeeds): its length and last URL name it, without
  // joining a long list for every page.
  const key = `${extraSeeds.length}\n${extraSeeds[extraSeeds.length - 1]}`;
  let scope = compiled.widened.get(key);
  if (scope === undefined) {
    if (compiled.widened.size >= MAX_WIDENED_SCOPES) compiled.widened.clear();
    scope = createScopeRules([...compiled.rules.seeds, ...extraSeeds], compiled.rules.scope);
    compiled.widened.set(key, scope);
  }
  return scope;
}

/** cheerio options: htmlparser2 (not parse5) with the scan's options, so both see the same tree. */
const CHEERIO_OPTIONS = { xml: HTML_PARSER_OPTIONS } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function runExtractor(extractor: CustomExtractor, context: Parameters<CustomExtractor>[0]): Record<string, unknown> | undefined {
  let output: unknown;
  try {
    output = extractor(context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ParseError('ERR_EXTRACTOR', `custom extractor threw on ${context.url}: ${reason}`, { cause: error });
  }
  if (output === undefined || output === null) return undefined;
  if (!isPlainObject(output)) {
    const kind = typeof (output as { then?: unknown }).then === 'function' ? 'a Promise (extractors must be synchronous)' : typeof output;
    throw new ParseError('ERR_EXTRACTOR', `custom extractor returned ${kind} on ${context.url}; expected a plain object`);
  }
  try {
    // Fields cross the process boundary: check they can, here, with a clear error.
    return structuredClone(output);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ParseError('ERR_EXTRACTOR', `custom extractor returned fields that cannot be sent between processes on ${context.url}: ${reason}`, { cause: error });
  }
}

/**
 * A fingerprint of a page's visible text: two pages with the same text have
 * the same hash (exact duplicate content). SHA-1, 96 bits as base64url (16
 * characters): chance collisions are out of reach, and it is not a security
 * boundary.
 */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}

/** Sets the page's link drop counts and unfollowable links (only when there are any). */
function setLinkDrops(page: ParsedPage, dropped: ParsedPage['dropped'] & object, unfollowable: string[]): void {
  if (Object.keys(dropped).length > 0) page.dropped = dropped;
  else delete page.dropped;
  if (unfollowable.length > 0) page.unfollowable = unfollowable;
  else delete page.unfollowable;
}

/**
 * Parses one page.
 *
 * - `links`: every `<a href>`/`<area href>`, resolved against `<base href>`
 *   (else the page URL), normalised, http(s) only, deduplicated in order.
 * - `follow`: the links in scope at `depth + 1` (the seeds' redirect targets
 *   in `input.extraSeeds` count as seeds), minus rel=nofollow links
 *   (when `respectNofollow`) and all links of a nofollow page (meta robots or
 *   X-Robots-Tag, when `respectMetaRobots`); `dropped` counts the others by
 *   reason, `unfollowable` lists the links no scope would follow.
 * - `canonical`: the `<link rel=canonical>` href, absolute and normalised.
 * - `text`: visible text (no script/style/noscript/template/svg…), collapsed,
 *   at most `maxTextChars`; absent when `extract.text` is false or the budget 0.
 * - `fields`: built-ins, `extract.fields`, matching `extract.rules`, then the
 *   custom extractor; a missing required field sets `failedReason`
 *   `required-field-missing`. With follow selectors, `follow` keeps only the
 *   links they pick (docs/extraction.md).
 *
 * Throws ParseError `ERR_EXTRACTOR` when the custom extractor fails; markup
 * problems never throw.
 */
export function parsePage(input: ParseInput, compiled: CompiledParseRules): ParsedPage {
  const startedAt = performance.now();
  const { rules } = compiled;
  const warnings: string[] = [];

  const decoded = decodeBody(input.body, input.contentType);
  if (decoded.warning) warnings.push(decoded.warning);
  // A DOM only when something needs it (the scan needs none), built in the scan's own pass.
  const content = compiled.extract.content;
  const needsCheerio = !compiled.extract.empty || compiled.extractor !== undefined;
  const scanOptions = { maxTextChars: rules.extract.text ? rules.maxTextChars : 0 };
  let scanned: ScannedDocument;
  let document: Document | undefined;
  if (needsCheerio || content.enabled) ({ scanned, document } = scanDocumentWithDom(decoded.text, scanOptions));
  else scanned = scanDocument(decoded.text, scanOptions);

  const directives = mergeRobotsDirectives(parseMetaRobots(scanned.metaRobots), parseXRobotsTag(input.xRobotsTag));
  const honoured = rules.respectMetaRobots ? directives : { noindex: false, nofollow: false };

  const linkContext = {
    pageUrl: input.url,
    baseHref: scanned.baseHref,
    depth: input.depth,
    pageNofollow: honoured.nofollow,
    respectNofollow: rules.respectNofollow,
    normalize: compiled.normalize,
    scope: scopeFor(compiled, input.extraSeeds),
  };
  const { links, linkText, follow, dropped, unfollowable } = extractLinks(scanned.links, linkContext);

  const page: ParsedPage = {
    headings: scanned.headings,
    links,
    follow,
    charset: decoded.charset,
    parseMs: 0,
  };
  setLinkDrops(page, dropped, unfollowable);
  if (scanned.title !== undefined) page.title = scanned.title;
  if (scanned.description !== undefined) page.description = scanned.description;
  if (scanned.lang !== undefined) page.lang = scanned.lang;
  if (scanned.text !== undefined) page.text = scanned.text;
  if (scanned.text) page.contentHash = contentHash(scanned.text);
  if (linkText.some((text) => text !== '')) page.linkText = linkText;
  if (scanned.metaRobots !== undefined) page.metaRobots = scanned.metaRobots;
  if (honoured.noindex) page.noindex = true;
  if (honoured.nofollow) page.nofollow = true;

  if (scanned.baseHref !== undefined && parseBaseHref(scanned.baseHref, input.url) === undefined) {
    warnings.push(`ignored <base href="${scanned.baseHref.slice(0, 200)}">: not an http(s) URL`);
  }
  if (scanned.canonicalHref !== undefined) {
    const canonical = compiled.normalize(scanned.canonicalHref, resolveBaseUrl(scanned.baseHref, input.url));
    if (canonical.ok) page.canonical = canonical.url;
    else warnings.push(`ignored <link rel="canonical" href="${scanned.canonicalHref.slice(0, 200)}">: ${canonical.reason}`);
  }

  // Content detection reads the DOM without changing it, before fields and extractors run.
  if (document !== undefined && content.enabled && !honoured.noindex) {
    const extracted = extractContent(document, content, resolveBaseUrl(scanned.baseHref, input.url), {
      url: input.url,
      ...(scanned.title !== undefined ? { title: scanned.title } : {}),
    });
    page.markdown = extracted.markdown;
    if (extracted.text !== undefined) page.contentText = extracted.text;
    warnings.push(...extracted.warnings);
  }
  const $ = needsCheerio && document !== undefined ? cheerioNow().load(document, CHEERIO_OPTIONS) : undefined;
  if ($ !== undefined && !compiled.extract.empty) {
    const normalizedUrl = compiled.normalize(input.url);
    const extracted = extractPageFields(compiled.extract, {
      $,
      pageUrl: normalizedUrl.ok ? normalizedUrl.url : input.url,
      baseUrl: resolveBaseUrl(scanned.baseHref, input.url),
    });
    if (extracted.fields !== undefined) page.fields = extracted.fields;
    warnings.push(...extracted.warnings);
    if (extracted.failedMessage !== undefined) {
      page.failedReason = 'required-field-missing';
      page.failedMessage = extracted.failedMessage;
    }
    if (extracted.followSelectors !== undefined) {
      const selected = extractLinks(selectFollowLinks($, extracted.followSelectors), linkContext);
      page.follow = selected.follow;
      // Links the selectors did not pick are never followed, whatever the scope.
      const picked = new Set(selected.links.filter((url) => !selected.unfollowable.includes(url)));
      setLinkDrops(page, selected.dropped, links.filter((url) => !picked.has(url)));
    }
  }

  if ($ !== undefined && compiled.extractor) {
    const fields = runExtractor(compiled.extractor, { $, url: input.url, html: decoded.text });
    if (fields !== undefined) page.fields = { ...page.fields, ...fields };
  }
  if (warnings.length > 0) page.warnings = warnings;
  page.parseMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
  return page;
}
