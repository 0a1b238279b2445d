/**
 * `npm run schema`: regenerates config/skein.schema.json and the README's
 * configuration reference from the one config schema.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { withConfigReference } from './config-reference.js';
import { configJsonSchema } from './write-json-schema.js';

await writeFile('config/skein.schema.json', JSON.stringify(configJsonSchema(), null, 2) + '\n');
await writeFile('README.md', withConfigReference(await readFile('README.md', 'utf8')));
process.stdout.write('wrote config/skein.schema.json and the README configuration reference\n');
