/**
 * Generates config/skein.schema.json from the zod schema, so editors can
 * complete and validate config files (`"$schema": "./skein.schema.json"`).
 * Run with `npm run schema`; a test keeps the committed file in sync.
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { crawlConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(crawlConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'skein crawl config',
    description: 'A crawl described as data: seeds, scope, fetching, politeness, parsing, storage and extraction. Every field is optional except seeds (or a name to resume).',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? 'config/skein.schema.json';
  await writeFile(path, JSON.stringify(configJsonSchema(), null, 2) + '\n');
  process.stdout.write(`wrote ${path}\n`);
}
