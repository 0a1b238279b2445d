/**
 * Test helpers for the parse area: complete ParseRules from a few overrides,
 * and ParseInput from an HTML string.
 */
import { crawlConfigSchema, type CrawlConfigInput } from '../../src/config/schema.js';
import type { ParseInput, ParseRules } from '../../src/parse/parse-types.js';

export interface TestRulesOptions {
  seeds?: string[];
  scope?: CrawlConfigInput['scope'];
  extract?: CrawlConfigInput['extract'];
  maxTextChars?: number;
  respectMetaRobots?: boolean;
  respectNofollow?: boolean;
}

/** ParseRules with the config schema's defaults; the seed is https://example.com/. */
export function testRules(options: TestRulesOptions = {}): ParseRules {
  const config = crawlConfigSchema.parse({
    seeds: options.seeds ?? ['https://example.com/'],
    scope: options.scope ?? {},
    extract: options.extract ?? {},
  });
  return {
    seeds: config.seeds,
    scope: config.scope,
    extract: config.extract,
    maxTextChars: options.maxTextChars ?? config.parser.maxTextChars,
    respectMetaRobots: options.respectMetaRobots ?? config.politeness.respectMetaRobots,
    respectNofollow: options.respectNofollow ?? config.politeness.respectNofollow,
  };
}

/** A ParseInput for an HTML string encoded as UTF-8. */
export function htmlInput(html: string, overrides: Partial<ParseInput> = {}): ParseInput {
  return {
    url: 'https://example.com/dir/page.html',
    depth: 0,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: new TextEncoder().encode(html),
    ...overrides,
  };
}
