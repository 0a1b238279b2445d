/**
 * The problems `skein check` and `skein report --fail-on` can fail on, by
 * name, and reading `--fail-on`. Apart from finding them (find-problems.ts) so
 * that declaring the flags (`skein --help`) loads no report code.
 */
import { ConfigError } from '../core/errors.js';

/** What `--fail-on` accepts, and what each finds. */
export const PROBLEM_KINDS = {
  broken: 'links to URLs that answered 4xx/5xx or not at all',
  'redirect-loops': 'links to URLs whose redirects loop or never end',
  redirects: 'links to URLs that redirect',
  blocked: 'links to URLs robots.txt disallows',
  oversized: 'links to pages larger than fetch.maxBodyBytes',
  'missing-title': 'HTML pages without a title (or an empty one)',
  'missing-description': 'HTML pages without a meta description (or an empty one)',
  'missing-h1': 'HTML pages without an <h1>',
  'duplicate-titles': 'HTML pages whose title another page has too',
  'duplicate-descriptions': 'HTML pages whose description another page has too',
  'duplicate-content': 'HTML pages whose visible text another page has too',
  'canonical-elsewhere': 'pages whose canonical URL is another URL',
  noindex: 'pages asking not to be indexed',
  orphans: 'HTML pages no crawled page links to',
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** What `--fail-on` means when not given. */
export const DEFAULT_FAIL_ON: readonly ProblemKind[] = ['broken', 'redirect-loops'];

/** Parses `--fail-on broken,missing-title` (or "all"); ConfigError naming the unknown kind. */
export function parseFailOn(value: string): ProblemKind[] {
  const kinds = value.split(',').map((kind) => kind.trim()).filter(Boolean);
  if (kinds.length === 1 && kinds[0] === 'all') return Object.keys(PROBLEM_KINDS) as ProblemKind[];
  if (kinds.length === 0) throw new ConfigError('fail-on', `expected a comma-separated list of: ${Object.keys(PROBLEM_KINDS).join(', ')} (or all)`);
  for (const kind of kinds) {
    if (!(kind in PROBLEM_KINDS)) throw new ConfigError('fail-on', `unknown problem "${kind}"; expected some of: ${Object.keys(PROBLEM_KINDS).join(', ')} (or all)`);
  }
  return [...new Set(kinds)] as ProblemKind[];
}
