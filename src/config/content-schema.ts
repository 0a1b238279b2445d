/**
 * `extract.content`: the page's main content (navigation, headers, footers,
 * sidebars, cookie banners and "related" blocks removed) as Markdown and as
 * plain text, computed in the parser workers. Off by default: it costs CPU
 * in the workers and roughly doubles a record's size (docs/performance.md).
 *
 * Selectors are checked by `compileContentRules` (src/parse) at start-up, so
 * a bad one is a ConfigError naming `extract.content.include[0]`.
 */
import { z } from 'zod';

const selectorList = z.array(z.string().trim().min(1, 'expected a CSS selector'));

export const contentSchema = z
  .object({
    /** Compute `record.markdown` (and, with `text`, `record.contentText`) for every HTML page. @default false */
    enabled: z.boolean().default(false).describe('Compute the main content of each HTML page as record.markdown (GitHub-flavoured Markdown). Off by default: it costs CPU in the parser workers and enlarges records.'),
    /**
     * `main`: detect the main content (semantic `<main>`/`<article>`, then
     * text/link-density scoring); `full`: the whole `<body>` minus scripts,
     * styles, hidden elements and `exclude` matches.
     * @default "main"
     */
    mode: z.enum(['main', 'full']).default('main').describe('main: the detected main content (boilerplate removed); full: the whole body (scripts, styles, hidden elements and exclude matches removed).'),
    /** CSS selectors whose matches are the content (in document order), skipping detection; pages where none match fall back to `mode`. @default [] */
    include: selectorList.default([]).describe('CSS selectors of the content itself (e.g. ["article .post-body"]); pages where none match use the mode.'),
    /** CSS selectors removed before anything else (ads, widgets the heuristics miss). @default [] */
    exclude: selectorList.default([]).describe('CSS selectors removed from the content (e.g. [".ad", "#comments"]).'),
    /** Main content shorter than this (characters of text) is not trusted: the full page is used instead, with a warning. @default 120 */
    minChars: z.number().int().nonnegative().default(120).describe('Detected main content with fewer characters of text than this is replaced by the full page, with a warning.'),
    /** Also store the content as plain text in `record.contentText`. @default false */
    text: z.boolean().default(false).describe('Also store the content as plain text (record.contentText): same blocks, no Markdown syntax.'),
    /** Markdown kept per page, in characters (cut at a block boundary, with a warning). @default 200000 */
    maxChars: z.number().int().positive().default(200_000).describe('Characters of Markdown kept per page; longer content is cut at a block boundary (with a warning).'),
  })
  .strict();

export type ContentConfig = z.output<typeof contentSchema>;
