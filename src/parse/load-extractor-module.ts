/**
 * Custom extractors: a user module, named by `extract.module`, whose default
 * export turns a parsed page into extra fields. Loaded once per worker (and
 * once on the main thread in `inline` mode), never per page.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheerioAPI } from 'cheerio/slim';
import { ConfigError } from '../core/errors.js';

/** What a custom extractor receives for each page. */
export interface ExtractorContext {
  /** The page loaded in cheerio (htmlparser2 mode). Treat it as read-only. */
  $: CheerioAPI;
  /** Final URL of the page. */
  url: string;
  /** The decoded HTML text. */
  html: string;
}

/**
 * The default export of an `extract.module`. Runs synchronously inside the
 * parser worker for every HTML page and returns a plain object whose keys are
 * merged into `record.fields` (values must be structured-clone safe: no
 * functions, no class instances with methods), or `undefined`/`null` for no
 * fields. A throw fails that page only (ParseError `ERR_EXTRACTOR`).
 *
 * @example
 * // extractors/price.mjs
 * export default function ({ $, url }) {
 *   return { price: $('[itemprop=price]').attr('content') ?? null, isProduct: url.includes('/p/') };
 * }
 */
export type CustomExtractor = (context: ExtractorContext) => Record<string, unknown> | null | undefined;

const FIELD = 'extract.module';

/** Absolute path of the module, resolved against the working directory. */
export function resolveExtractorPath(modulePath: string, cwd: string = process.cwd()): string {
  return resolve(cwd, modulePath);
}

/**
 * Fails fast, on the main process, when the module file does not exist, so a
 * typo in the config is a config error at start-up rather than a stream of
 * failing workers. Throws ConfigError.
 */
export function assertExtractorModuleExists(modulePath: string, cwd: string = process.cwd()): void {
  const path = resolveExtractorPath(modulePath, cwd);
  if (!existsSync(path)) throw new ConfigError(FIELD, `module not found: ${path} (paths are relative to ${cwd})`);
}

/**
 * Imports the module and returns its default export. ES modules and CommonJS
 * (`module.exports = fn` or a transpiled `exports.default = fn`) both work.
 * Throws ConfigError when the module cannot be imported or its default export
 * is not a function.
 */
export async function loadExtractorModule(modulePath: string, cwd: string = process.cwd()): Promise<CustomExtractor> {
  const path = resolveExtractorPath(modulePath, cwd);
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(path).href);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(FIELD, `cannot load ${path}: ${reason}`, { cause: error });
  }
  let candidate = (loaded as { default?: unknown }).default;
  if (candidate !== null && typeof candidate === 'object' && typeof (candidate as { default?: unknown }).default === 'function') {
    candidate = (candidate as { default: unknown }).default;
  }
  if (typeof candidate !== 'function') {
    throw new ConfigError(FIELD, `${path} must have a default export that is a function ({ $, url, html }) => fields`);
  }
  return candidate as CustomExtractor;
}
