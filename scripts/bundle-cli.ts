/**
 * The `skein` command as users run it: the CLI that tsc built (dist/src/),
 * bundled with its dependencies by esbuild into dist/bundle/cli/ (`npm run
 * build` runs this after tsc; tsc stays the type check and the library's
 * build, `import 'skein'` is dist/src/index.js).
 *
 * Why: Node 20 pays for every ES module it loads apart (resolve, read,
 * compile, link): a one-page crawl loaded ~270 files, among them zod's 45
 * locales and got's 20-odd packages, and spent more CPU on that than on
 * the crawl (docs/performance.md, "Start-up"). Bundled, the same code is a
 * few files.
 *
 * - Code splitting keeps the lazy loading: every `import()` of the sources
 *   is a chunk of its own, loaded when that import runs (a command's module,
 *   the inline parser, nock, the WARC writer…), and command-imports.test.ts
 *   holds the module graph those chunks follow.
 * - The processes skein starts from files next to its modules are entry
 *   points, written flat next to the chunks, so `new URL('./parse-worker.js',
 *   import.meta.url)` finds them; the output sits two folders under dist/, as
 *   a module of dist/src/<folder>/ does, so paths such as the report client's
 *   (`../../report-client/`) hold too.
 * - CommonJS packages inside get `require` from `createRequire` (the banner);
 *   packages skein itself loads with `createRequire` (cheerio, tldts,
 *   cli-progress) are read from node_modules at run time, as before.
 * - No `keepNames`: it would set the name of every closure each time one is
 *   made (hot paths make several a page). Names survive without it: esbuild
 *   writes `var ConfigError = class extends CrawlError`, whose name is
 *   inferred ("ConfigError", which `new.target.name` in errors.ts gives); only
 *   a second class of the same name gets a suffix (got's ParseError, which
 *   sets its own name).
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(dist, 'bundle/cli');

/**
 * The entry points: the CLI, the scripts it starts processes or threads from,
 * and the benchmarks' crawl process (crawl-bench.ts forks it from here, so that
 * `npm run bench` measures the crawler as the CLI runs it).
 */
const ENTRIES = ['src/cli/main.js', 'src/parse/parse-worker.js', 'src/warc/warc-encoder-worker.js', 'src/bench/site-server-child.js', 'src/bench/crawl-bench-child.js'];

await rm(BUNDLE_DIR, { recursive: true, force: true });
const result = await build({
  entryPoints: ENTRIES.map((entry) => path.join(dist, entry)),
  outdir: BUNDLE_DIR,
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ES module build of packages that have one (jsonc-parser's UMD build requires its files by dynamic paths).
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __skeinCreateRequire } from 'node:module'; const require = __skeinCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).length;
console.log(`bundled the CLI into ${path.relative(process.cwd(), BUNDLE_DIR)}/ (${files} files)`);
