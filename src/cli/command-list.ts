/**
 * Every `skein` command in one table: its name, summary, arguments, options
 * and examples (declared with commander alone), and the module that runs it,
 * imported only when the command runs. So `skein --help` and `skein <command>
 * --help` load nothing but commander, and each command loads only what it
 * uses (test/cli/command-imports.test.ts holds that).
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../core/errors.js';
import { DIRECTORY_FORMATS } from '../export/export-directory.js';
import { DEFAULT_FAIL_ON } from '../report/problem-kinds.js';
import { addCrawlFlags } from './crawl-flags.js';
import { addFailOnFlags } from './fail-on-flags.js';
import { positiveIntFlag } from './positive-int-flag.js';
import { addRedisFlags, addRedisTargetFlags } from './redis-flags.js';
import { addReplayFlags } from './replay-flags.js';

/** What a command's module gets besides commander's arguments. */
export interface ActionContext {
  setExitCode: (code: number) => void;
}

/** A command's module: `action(context, ...commander's action arguments)`. */
type CommandModule = { action: (context: ActionContext, ...args: any[]) => Promise<void> };

interface CommandSpec {
  name: string;
  /** The command as `--help` shows it (commander only). */
  declare: () => Command;
  /** The module that runs it. */
  load: () => Promise<CommandModule>;
}

/** `--data-dir` that may be repeated (the stores of several nodes together). */
const repeatableDataDir = (what: string): [string, string, (dir: string, dirs: string[]) => string[], string[]] => [
  '--data-dir <dir>',
  `where crawls are stored (default: "data"); repeat it to ${what}`,
  (dir, dirs) => [...dirs, dir],
  [],
];

function declareCrawl(): Command {
  const command = new Command('crawl')
    .description('crawl a site (same host by default) and store every page under <data-dir>/<name>/')
    .argument('[urls...]', 'seed URLs (http or https)')
    .option('--resume <name>', 'continue a stored crawl with its stored config')
    .option('--fresh', 'delete an existing crawl of the same name first')
    .option('--force', 'with --resume: accept changed scope settings')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command);
  addReplayFlags(command);
  addRedisFlags(command);
  return command.addHelpText(
    'after',
    `
Examples:
  $ skein crawl https://example.com/
  $ skein crawl https://example.com/ --max-pages 500 --exclude "**/*.pdf"
  $ skein crawl --config config/example-site.json --concurrency 16
  $ skein crawl --resume example.com`,
  );
}

function declareResume(): Command {
  return new Command('resume')
    .description('continue a stored crawl with its stored config (same as: skein crawl --resume <name>)')
    .argument('<name>', 'crawl name (a directory under --data-dir)')
    .argument('[crawl-flags...]', 'any `skein crawl` flag, e.g. --data-dir, --concurrency, --force, --json')
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Scope settings (--scope, --include, --exclude, --max-depth, seeds…) must match
the stored crawl; pass --force to accept a change. A wider scope is really
crawled: the links of every stored page are checked against it again and the
ones it now allows are queued (--no-include / --no-exclude drop the stored
patterns). A narrower one applies to links found from then on (requests already
queued are still fetched). Other settings (--concurrency, --max-pages, --delay…)
may change and are stored for the next resume; the changes are listed first.

Exit codes: 0 done · 1 the stored state is damaged (the message names the file;
skein changes nothing on disk) · 2 bad flags, no such crawl, or a scope change
without --force · 4 nothing crawled (every seed of this run failed) · 130
interrupted (resume again to continue).

Examples:
  $ skein resume example.com
  $ skein resume example.com --data-dir crawls --concurrency 8
  $ skein resume example.com --max-depth 3 --force
  $ skein resume example.com --no-exclude --force`,
    );
}

function declareExport(): Command {
  return new Command('export')
    .description('export the stored pages of a crawl: records (stdout by default), Markdown files, llms.txt, or Markdown chunks for retrieval')
    .argument('<name>', 'crawl name (a folder under --data-dir)')
    .addOption(new Option('-f, --format <format>', 'output format; markdown and llms-txt need pages crawled with --markdown and write into --out DIR').choices(['jsonl', 'csv', 'json', ...DIRECTORY_FORMATS]).default('jsonl'))
    .option('--fields <list>', 'comma-separated fields, dotted for nested (e.g. url,status,title,fields.price); with --chunk-chars, the page fields in each chunk (default url,title,fetchedAt)')
    .option('-o, --out <path>', 'write to a file (atomically) instead of stdout; a new or empty directory for markdown and llms-txt')
    .option('--chunk-chars <n>', 'write each page\'s Markdown as chunks of at most N characters (split at headings, then paragraphs; heading path in each chunk), JSONL or JSON', positiveIntFlag('chunk-chars'))
    .option('--chunk-overlap <n>', 'characters of the previous chunk repeated at the start of the next (default 0)', (value: string) => (value.trim() === '0' ? 0 : positiveIntFlag('chunk-overlap')(value)))
    .option(...repeatableDataDir("merge several nodes' data dirs (every page once)"))
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein export example.com --format jsonl | jq .title\n  $ skein export example.com --format csv --fields url,status,title --out pages.csv\n  $ skein export docs.example.com --format markdown --out docs-md/\n  $ skein export docs.example.com --format llms-txt --out site/\n  $ skein export docs.example.com --chunk-chars 2000 --chunk-overlap 200 --out chunks.jsonl',
    );
}

function declareStatus(): Command {
  return addRedisTargetFlags(new Command('status'))
    .description('show what a stored crawl holds: pages ok/failed by reason, queued, config, when it ran (with --redis: a distributed crawl, live)')
    .argument('[name]', 'crawl name (or the crawl id with --redis)')
    .option(...repeatableDataDir('count the node stores of several data dirs together'))
    .option('--json', 'print as JSON')
    .option('--summary', 'also show the audit summary of `skein report` in brief: status codes, response times, broken links, duplicates… (default on a terminal)')
    .option('--no-summary', 'leave the audit summary out, even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein status example.com\n  $ skein status demo --json\n  $ skein status site-2026 --data-dir /mnt/node1/data --data-dir /mnt/node2/data   # a distributed crawl\'s node stores\n  $ skein status --redis redis://127.0.0.1:6379 --crawl-id site-2026',
    );
}

function declareReport(): Command {
  return addFailOnFlags(new Command('report'))
    .description('write a site-audit report of a stored crawl: one HTML file (opens offline) with broken links and their referrers, redirects, slow and large pages, duplicates, missing titles…')
    .argument('<name>', 'crawl name (a folder under --data-dir)')
    .option('-o, --out <file>', 'where to write the report (atomically) (default: <data-dir>/<name>/report.html)')
    .option(...repeatableDataDir('report on the node stores of a distributed crawl together'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein report example.com                       # data/example.com/report.html\n  $ skein report example.com --out audit.html\n  $ skein report example.com --fail-on broken,missing-title --format github   # and exit 1 when any\n  $ skein report site-2026 --data-dir /mnt/node1/data --data-dir /mnt/node2/data',
    );
}

function declareCheck(): Command {
  const command = addFailOnFlags(
    new Command('check')
      .description('check a site\'s links for CI: crawl it, list broken links (or other chosen problems) grouped by the page linking to them, exit 1 when there are any')
      .argument('[urls...]', 'seed URLs (http or https)')
      .option('--report <file>', 'also write the HTML report of the crawl there (see skein report)'),
    DEFAULT_FAIL_ON.join(','),
  );
  addCrawlFlags(command);
  return command.addHelpText(
    'after',
    `
The crawl goes to a temporary folder, removed at the end, unless --data-dir or --config names one
(then it is kept, and started afresh each time). Exit codes: 0 no problem, 1 problems found,
2 bad flags, 4 no seed could be fetched.

Examples:
  $ skein check https://example.com/
  $ skein check https://example.com/ --fail-on broken,redirect-loops,missing-title --format github
  $ skein check https://example.com/ --max-pages 2000 --format json > problems.json
  $ skein check http://127.0.0.1:8080/ --report link-report.html`,
  );
}

function declareWorker(): Command {
  const command = new Command('worker')
    .description('join a distributed crawl: takes the crawl config from Redis, fetches and parses its share of pages, stores them under <data-dir>/<crawl-id>/nodes/<node-id>/')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command, ['dataDir', 'fetch.concurrency', 'parser.mode', 'parser.workers']);
  addRedisFlags(command);
  return command.addHelpText(
    'after',
    `
Examples:
  $ skein crawl --config site.json --redis redis://10.0.0.5:6379 --crawl-id site-2026   # node 1 seeds
  $ skein worker --redis redis://10.0.0.5:6379 --crawl-id site-2026                      # more nodes join
  $ SKEIN_REDIS_URL=rediss://:secret@redis.example:6380 skein worker --crawl-id site-2026
  $ skein worker --redis redis://10.0.0.5:6379 --crawl-id site-2026 --recover           # Redis lost the crawl: rebuild it from this data dir`,
  );
}

function declareDemo(): Command {
  const command = new Command('demo')
    .description('serve the bundled demo site on 127.0.0.1 and crawl it (no network needed); stored as crawl "demo"')
    .addOption(new Option('--pages <n>', 'pages in the generated site (default: 500)').argParser((v) => Number.parseInt(v, 10)))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command);
  return command.addHelpText('after', '\nExamples:\n  $ skein demo\n  $ skein demo --pages 2000 --parser thread\n  $ skein export demo --format csv --fields url,status,title');
}

const PARSER_MODES = ['inline', 'thread', 'process'];

function declareBench(): Command {
  const modeList = (value: string): string[] => {
    const modes = value.split(',').map((part) => part.trim());
    const bad = modes.find((mode) => !PARSER_MODES.includes(mode));
    if (bad !== undefined) throw new ConfigError('modes', `expected a comma-separated list of ${PARSER_MODES.join(', ')}, got "${bad}"`);
    return modes;
  };
  const intList = (value: string): number[] => value.split(',').map((part) => positiveIntFlag('worker-counts')(part.trim()));
  const command = new Command('bench')
    .description('measure extraction on a sample of a site (or a local generated site) in inline, thread and process modes, and recommend a parser mode, worker count and fetch concurrency')
    .argument('[url]', 'site to sample (fetched once, politely); omit to use a local generated site')
    .addOption(new Option('--pages <n>', 'pages in the sample (default: 200)').argParser(positiveIntFlag('pages')))
    .addOption(new Option('--parses <n>', 'pages parsed per configuration; the sample is repeated (default: max(sample, 200))').argParser(positiveIntFlag('parses')))
    .addOption(new Option('--modes <list>', 'parser modes to measure (default: inline,thread,process)').argParser(modeList))
    .addOption(new Option('--worker-counts <list>', 'worker counts for thread and process modes (default: 1, 2, … available CPUs)').argParser(intList))
    .option('--chart <file>', 'also write an SVG bar chart of pages/s by mode and worker count')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no progress lines on stderr');
  addCrawlFlags(command);
  return command.addHelpText(
    'after',
    '\n--parser and --workers narrow the measured modes and worker counts to one each.\n\nExamples:\n  $ skein bench\n  $ skein bench https://example.com/ --pages 100 --chart bench.svg\n  $ skein bench --json | jq .recommendation',
  );
}

const COMMANDS: readonly CommandSpec[] = [
  { name: 'crawl', declare: declareCrawl, load: () => import('./crawl-command.js') },
  { name: 'resume', declare: declareResume, load: () => import('./resume-command.js') },
  { name: 'export', declare: declareExport, load: () => import('./export-command.js') },
  { name: 'status', declare: declareStatus, load: () => import('./status-command.js') },
  { name: 'report', declare: declareReport, load: () => import('./report-command.js') },
  { name: 'check', declare: declareCheck, load: () => import('./check-command.js') },
  { name: 'worker', declare: declareWorker, load: () => import('./worker-command.js') },
  { name: 'demo', declare: declareDemo, load: () => import('./demo-command.js') },
  { name: 'bench', declare: declareBench, load: () => import('./bench-command.js') },
];

function build(spec: CommandSpec, context: ActionContext): Command {
  return spec
    .declare()
    .exitOverride()
    .action(async (...args: unknown[]) => {
      const { action } = await spec.load();
      await action(context, ...args);
    });
}

/** Every command, ready to add to the program. */
export function buildCommands(context: ActionContext): Command[] {
  return COMMANDS.map((spec) => build(spec, context));
}

/** One command by name (`skein resume` runs `skein crawl` through it). */
export function buildCommand(name: string, context: ActionContext): Command {
  const spec = COMMANDS.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`no command named ${name}`);
  return build(spec, context);
}
