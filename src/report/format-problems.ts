/**
 * Problems as a link checker prints them: `text` grouped by the page that
 * has them (the page to fix), `json` for programs, `github` as workflow
 * commands that GitHub Actions turns into annotations. Pure.
 */
import type { FoundProblem } from './find-problems.js';
import type { ProblemKind } from './problem-kinds.js';

export const PROBLEM_FORMATS = ['text', 'json', 'github'] as const;
export type ProblemFormat = (typeof PROBLEM_FORMATS)[number];

/** Where problems without a linking page are grouped (a seed or sitemap URL that is itself bad). */
const NO_PAGE = '(not linked from a crawled page: a seed or a sitemap entry)';

/** Problem counts by kind, in `kinds` order. */
export function countProblems(problems: readonly FoundProblem[], kinds: readonly ProblemKind[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(kinds.map((kind) => [kind, 0]));
  for (const problem of problems) counts[problem.kind]!++;
  return counts;
}

function describe(problem: FoundProblem): string {
  const text = problem.linkText ? ` "${problem.linkText}"` : '';
  return problem.url ? `${problem.kind}: ${problem.url} (${problem.detail})${text}` : `${problem.kind}: ${problem.detail}`;
}

/** Text: one block per page, its problems indented under it, then a count line. */
export function formatText(problems: readonly FoundProblem[], kinds: readonly ProblemKind[]): string {
  const byPage = new Map<string, FoundProblem[]>();
  for (const problem of problems) {
    const page = problem.page ?? NO_PAGE;
    let list = byPage.get(page);
    if (!list) byPage.set(page, (list = []));
    list.push(problem);
  }
  const lines: string[] = [];
  for (const [page, list] of byPage) {
    lines.push(page);
    for (const problem of list) lines.push(`  ${describe(problem)}`);
  }
  const counts = Object.entries(countProblems(problems, kinds)).map(([kind, n]) => `${kind} ${n}`).join(', ');
  const pages = [...byPage.keys()].filter((page) => page !== NO_PAGE).length;
  lines.push(problems.length === 0 ? `no problems found (${counts})` : `${problems.length} problem${problems.length === 1 ? '' : 's'} on ${pages} page${pages === 1 ? '' : 's'} (${counts})`);
  return lines.join('\n') + '\n';
}

export function formatJson(problems: readonly FoundProblem[], kinds: readonly ProblemKind[]): string {
  return JSON.stringify({ ok: problems.length === 0, failOn: kinds, counts: countProblems(problems, kinds), problems }, null, 2) + '\n';
}

/** A workflow command's message: %, CR and LF escaped (GitHub's `escapeData`). */
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A workflow command's property value: also `:` and `,` (GitHub's `escapeProperty`). */
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

const TITLES: Record<ProblemKind, string> = {
  broken: 'Broken link', 'redirect-loops': 'Redirect loop', redirects: 'Redirecting link', blocked: 'Link blocked by robots.txt', oversized: 'Link to an oversized page',
  'missing-title': 'Missing title', 'missing-description': 'Missing description', 'missing-h1': 'Missing h1', 'duplicate-titles': 'Duplicate title',
  'duplicate-descriptions': 'Duplicate description', 'duplicate-content': 'Duplicate content', 'canonical-elsewhere': 'Canonical elsewhere', noindex: 'Noindex page', orphans: 'Orphan page',
};

/** GitHub Actions: `::error title=Broken link::https://site/a links to https://site/gone (404) "Gone"`, one a line. */
export function formatGithub(problems: readonly FoundProblem[], kinds: readonly ProblemKind[]): string {
  const lines = problems.map((problem) => {
    const where = problem.page ?? NO_PAGE;
    const message = problem.url ? `${where} links to ${problem.url} (${problem.detail})${problem.linkText ? ` "${problem.linkText}"` : ''}` : `${where}: ${problem.detail}`;
    return `::error title=${escapeProperty(TITLES[problem.kind])}::${escapeData(message)}`;
  });
  const counts = Object.entries(countProblems(problems, kinds)).map(([kind, n]) => `${kind} ${n}`).join(', ');
  lines.push(problems.length === 0 ? `no problems found (${counts})` : `${problems.length} problem${problems.length === 1 ? '' : 's'} (${counts})`);
  return lines.join('\n') + '\n';
}

export function formatProblems(problems: readonly FoundProblem[], kinds: readonly ProblemKind[], format: ProblemFormat): string {
  return format === 'json' ? formatJson(problems, kinds) : format === 'github' ? formatGithub(problems, kinds) : formatText(problems, kinds);
}
