/**
 * Crawl flags shared by `crawl`, `demo` and `bench`, and their mapping onto
 * dotted config paths. Flags only override what was given; defaults come
 * from the schema (shown in --help).
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../core/errors.js';

/**
 * The schema defaults --help shows, written out so that `--help` loads no
 * schema library; test/cli/crawl-flag-defaults.test.ts holds them equal to
 * the schema's.
 */
export const FLAG_DEFAULTS = {
  dataDir: 'data',
  'scope.mode': 'same-host',
  'scope.maxDepth': 10,
  'scope.maxPages': 10_000,
  'fetch.concurrency': 32,
  'fetch.perHostParallelism': 4,
  'politeness.delayMs': 0,
  'fetch.userAgent': 'skein/0.1 (+https://github.com/skein-crawler/skein)',
  'fetch.timeouts.requestMs': 60_000,
  'fetch.retries': 2,
  'fetch.maxBodyBytes': 10 * 1024 * 1024,
  'parser.mode': 'process',
  'parser.workers': 'auto',
} as const;

/** The schema's description of `parser.workers`, as flag help (the same test checks it). */
export const WORKERS_HELP = 'parser workers, or "auto" (usable cores minus one for the main process, at least 1; respects container CPU limits)';

interface FlagSpec {
  flags: string;
  path: string;
  description: string;
  default?: unknown;
  /** Parses the flag's text; `path` names the option in errors. */
  parse?: (value: string, path: string) => unknown;
  choices?: string[];
  repeatable?: boolean;
}

/** A whole number (the schema checks its range), else a ConfigError naming the option. */
const int = (value: string, path: string): number => {
  if (!/^-?\d+$/.test(value.trim())) throw new ConfigError(path, `expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
};
const intOrAuto = (value: string, path: string): number | string => (value === 'auto' ? 'auto' : int(value, path));

const specs: FlagSpec[] = [
  { flags: '-n, --name <name>', path: 'name', description: 'crawl name; data goes to <data-dir>/<name>/', default: 'derived from the first seed host' },
  { flags: '--data-dir <dir>', path: 'dataDir', description: 'where crawls are stored', default: FLAG_DEFAULTS['dataDir'] },
  { flags: '--scope <mode>', path: 'scope.mode', description: 'which links are in scope', default: FLAG_DEFAULTS['scope.mode'], choices: ['same-host', 'same-domain', 'same-origin', 'any'] },
  { flags: '--include <pattern...>', path: 'scope.include', description: 'follow only links matching a glob or /regex/ of the whole URL (e.g. "**/blog/**"); seeds are always fetched', repeatable: true },
  { flags: '--exclude <pattern...>', path: 'scope.exclude', description: 'do not follow links matching a glob or /regex/ of the whole URL (e.g. "**/*.pdf"); seeds are always fetched', repeatable: true },
  { flags: '-d, --max-depth <n>', path: 'scope.maxDepth', description: 'maximum link depth from the seeds', default: FLAG_DEFAULTS['scope.maxDepth'], parse: int },
  { flags: '-m, --max-pages <n>', path: 'scope.maxPages', description: 'maximum pages fetched in the whole crawl (URLs robots.txt disallows do not count)', default: FLAG_DEFAULTS['scope.maxPages'], parse: int },
  { flags: '--concurrency <n>', path: 'fetch.concurrency', description: 'requests in flight across all hosts', default: FLAG_DEFAULTS['fetch.concurrency'], parse: int },
  { flags: '--per-host <n>', path: 'fetch.perHostParallelism', description: 'requests in flight per host', default: FLAG_DEFAULTS['fetch.perHostParallelism'], parse: int },
  { flags: '--delay <ms>', path: 'politeness.delayMs', description: 'minimum delay between requests to one host (robots Crawl-delay raises it)', default: FLAG_DEFAULTS['politeness.delayMs'], parse: int },
  { flags: '--user-agent <ua>', path: 'fetch.userAgent', description: 'User-Agent header', default: FLAG_DEFAULTS['fetch.userAgent'] },
  { flags: '--timeout <ms>', path: 'fetch.timeouts.requestMs', description: 'whole-request timeout', default: FLAG_DEFAULTS['fetch.timeouts.requestMs'], parse: int },
  { flags: '--retries <n>', path: 'fetch.retries', description: 'retries for timeouts, resets, 429 and 5xx', default: FLAG_DEFAULTS['fetch.retries'], parse: int },
  { flags: '--max-body-bytes <n>', path: 'fetch.maxBodyBytes', description: 'cap on decompressed body bytes per page', default: FLAG_DEFAULTS['fetch.maxBodyBytes'], parse: int },
  { flags: '--parser <mode>', path: 'parser.mode', description: 'where HTML is parsed', default: FLAG_DEFAULTS['parser.mode'], choices: ['process', 'thread', 'inline'] },
  { flags: '--warc <dir>', path: 'output.warc.dir', description: 'also archive every HTTP exchange as WARC/1.1 files (.warc.gz) in this directory (docs/warc.md)' },
  { flags: '--workers <n>', path: 'parser.workers', description: WORKERS_HELP, default: FLAG_DEFAULTS['parser.workers'], parse: intOrAuto },
];

/**
 * Adds the crawl flags to a command; with `only` (config paths, e.g.
 * `['dataDir', 'parser.workers']`), just those flags and no --config,
 * --ignore-robots or --no-sitemaps.
 */
export function addCrawlFlags(command: Command, only?: readonly string[]): Command {
  const selected = only ? specs.filter((spec) => only.includes(spec.path)) : specs;
  if (only && selected.length !== only.length) throw new Error(`no crawl flag for some of ${only.join(', ')}`);
  for (const spec of selected) {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.choices(spec.choices);
    if (spec.parse) option.argParser((value) => spec.parse!(value, spec.path));
    if (spec.default !== undefined) option.description = `${spec.description} (default: ${JSON.stringify(spec.default)})`;
    command.addOption(option);
    // A list can be emptied too (e.g. the stored one, on resume): --no-include, --no-exclude.
    if (spec.repeatable) command.addOption(new Option(`--no-${longFlag(spec.flags)}`, `no ${longFlag(spec.flags)} patterns at all (e.g. to drop the stored ones on resume, with --force)`));
  }
  if (only) return command;
  command
    .option('--ignore-robots', 'ignore robots.txt (only for sites you own)')
    .option('--allow-private [cidrs]', 'connect to private-network addresses (loopback, RFC 1918, link-local/cloud metadata…): all of them, or only these comma-separated CIDR ranges (default: only the ranges the seeds are on)')
    .option('--no-sitemaps', 'do not seed from sitemaps')
    .option('--check-external', 'check off-site links too (HEAD, once each, never crawled beyond): broken outbound links are reported (scope.checkExternal)')
    .option('--markdown', 'store each page\'s main content as Markdown (record.markdown; sets extract.content.enabled)')
    .option('-c, --config <file>', 'JSON config file describing the crawl (flags override it; SKEIN_* env vars sit between)');
  return command;
}

/** The long flag (without "--") that sets a config path, e.g. `fetch.concurrency` → `concurrency`; undefined when none does. */
export function flagName(path: string): string | undefined {
  const spec = specs.find((s) => s.path === path);
  return spec ? longFlag(spec.flags) : undefined;
}

/** Turns parsed commander options into dotted config paths, only for flags given. */
export function flagsToConfig(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const key = attributeName(spec.flags);
    if (spec.repeatable && options[key] === false) out[spec.path] = [];
    else if (options[key] !== undefined) out[spec.path] = options[key];
  }
  if (options.ignoreRobots) out['politeness.respectRobots'] = false;
  if (options.allowPrivate === true) out['fetch.allowPrivateNetworks'] = true;
  else if (typeof options.allowPrivate === 'string') out['fetch.allowPrivateNetworks'] = options.allowPrivate.split(',').map((range) => range.trim()).filter((range) => range !== '');
  if (options.sitemaps === false) out['politeness.sitemaps'] = false;
  if (options.markdown === true) out['extract.content.enabled'] = true;
  if (options.checkExternal === true) out['scope.checkExternal'] = true;
  return out;
}

/** `'-m, --max-pages <n>'` → `max-pages`. */
function longFlag(flags: string): string {
  return flags.split(/[ ,]+/).find((part) => part.startsWith('--'))!.slice(2);
}

function attributeName(flags: string): string {
  return longFlag(flags).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
