/**
 * cheerio, loaded on first need instead of at start-up: most crawls never
 * need it (the built-in record fields come from one htmlparser2 pass,
 * scan-document.ts), and importing it costs tens of milliseconds in every
 * process that does. Paths that can wait import it with `importCheerio()`
 * (a parser worker's `init` when the rules need a DOM, sitemap discovery);
 * synchronous callers (`checkSelector` while a config is validated, unit
 * tests calling `parsePage` directly) get the copy imported so far, else
 * load it then with `require` (its CommonJS build).
 */
import { createRequire } from 'node:module';
import type * as Cheerio from 'cheerio/slim';

type CheerioModule = typeof Cheerio;

let cheerio: CheerioModule | undefined;

/** Imports cheerio (once). */
export async function importCheerio(): Promise<CheerioModule> {
  cheerio ??= await import('cheerio/slim');
  return cheerio;
}

/** cheerio now: the imported module, else its CommonJS build loaded synchronously. */
export function cheerioNow(): CheerioModule {
  cheerio ??= createRequire(import.meta.url)('cheerio/slim') as CheerioModule;
  return cheerio;
}
