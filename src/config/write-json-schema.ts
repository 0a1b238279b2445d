/**
 * Generates config/skein.schema.json from the zod schema, so editors can
 * complete and validate config files (`"$schema": "./skein.schema.json"`).
 * Written by `npm run schema` (write-config-docs.ts); a test keeps the committed file in sync.
 */
import { z } from 'zod';
import { crawlConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(crawlConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'skein crawl config',
    description: 'A crawl described as data: seeds, scope, fetching, politeness, parsing, storage and extraction. Every field is optional except seeds (or a name to resume).',
  };
}
