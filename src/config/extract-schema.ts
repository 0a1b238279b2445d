/**
 * Extraction options: which built-in fields a record carries. Config-driven
 * field rules extend this schema.
 */
import { z } from 'zod';

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
  })
  .strict();

export type ExtractConfig = z.output<typeof extractSchema>;
