/**
 * The report's summary (counts, percentiles, problems), computed from its
 * columns, and the same summary in brief as text (for `skein report` and
 * `skein status` on a terminal). Pure.
 */
import { FLAG, OUTCOMES, PROBLEM, TEXT, type ReportData, type ReportSummary } from './report-data.js';

/** The value at quantile `q` (0..1) of ascending `sorted` (nearest rank), 0 when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Pages counted in the "missing title/description/h1" checks: HTML pages that were fetched and answered 2xx. */
export function isAuditedHtml(data: Pick<ReportData, 'pages'>, page: number): boolean {
  const p = data.pages;
  return (p.flags[page]! & FLAG.html) !== 0 && p.status[page]! >= 200 && p.status[page]! < 300;
}

export function summarize(data: Omit<ReportData, 'summary'>, linkTextsDropped = 0): ReportSummary {
  const p = data.pages;
  const summary: ReportSummary = {
    pages: { ok: 0, failed: 0, skipped: 0, total: 0 },
    external: { checked: 0, broken: 0 },
    statuses: {},
    reasons: {},
    depths: [],
    responseMs: { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
    bytes: { total: 0, max: 0 },
    types: {},
    problems: {
      broken: 0, brokenLinks: 0, redirectLoops: 0, redirects: 0, blocked: 0, oversized: 0, missingTitle: 0, missingDescription: 0,
      missingH1: 0, duplicateTitles: 0, duplicateDescriptions: 0, duplicateContent: 0, canonicalElsewhere: 0, noindex: 0, orphans: 0,
    },
    linkTextsDropped,
  };
  const problems = summary.problems;
  // Typed arrays sized once (a 100,000-page report builds this while its pass's garbage is not collected yet).
  const times = new Float64Array(p.count);
  let timed = 0;
  const titleCounts = new Int32Array(data.strings.length);
  const descriptions = new Set<number>();
  const duplicates = new Set<number>();
  for (let i = 0; i < p.count; i++) {
    if (p.flags[i]! & FLAG.external) {
      // A link checked, not a page: only its problem counts.
      summary.external.checked++;
      if (p.problem[i] === PROBLEM.broken) summary.external.broken++;
      countProblem(problems, p.problem[i]!);
      continue;
    }
    summary.pages.total++;
    summary.pages[OUTCOMES[p.outcome[i]!] ?? 'failed']++;
    const status = p.status[i]!;
    bump(summary.statuses, status === 0 ? 'none' : String(status));
    const reason = p.reason[i]!;
    if (reason >= 0) bump(summary.reasons, data.strings[reason]!);
    const depth = p.depth[i]!;
    while (summary.depths.length <= depth) summary.depths.push(0);
    summary.depths[depth]!++;
    if (status > 0) times[timed++] = p.ms[i]!;
    summary.bytes.total += p.bytes[i]!;
    summary.bytes.max = Math.max(summary.bytes.max, p.bytes[i]!);
    if (p.type[i]! >= 0) bump(summary.types, data.strings[p.type[i]!]!);
    countProblem(problems, p.problem[i]!);
    const flags = p.flags[i]!;
    if (flags & FLAG.noindex) problems.noindex++;
    if (flags & FLAG.canonicalElsewhere) problems.canonicalElsewhere++;
    if (p.duplicate[i]! >= 0) duplicates.add(p.duplicate[i]!);
    if (!isAuditedHtml(data, i)) continue;
    if (p.title[i]! < 0) problems.missingTitle++;
    else titleCounts[p.title[i]!]!++;
    if (p.description[i] === TEXT.missing || p.description[i] === TEXT.empty) problems.missingDescription++;
    else if (p.description[i]! >= 0) descriptions.add(p.description[i]!);
    if (p.h1[i] === 0) problems.missingH1++;
    if (data.hasLinks && p.inlinks[i] === 0 && (flags & FLAG.seed) === 0) problems.orphans++;
  }
  for (const count of titleCounts) if (count > 1) problems.duplicateTitles++;
  problems.duplicateDescriptions = descriptions.size;
  problems.duplicateContent = duplicates.size;
  for (const to of data.links.to) if (p.problem[to] === PROBLEM.broken) problems.brokenLinks++;
  const sorted = times.subarray(0, timed).sort();
  summary.responseMs = {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : 0,
  };
  return summary;
}

function countProblem(problems: ReportSummary['problems'], problem: number): void {
  switch (problem) {
    case PROBLEM.broken: problems.broken++; break;
    case PROBLEM.redirectLoop: problems.redirectLoops++; break;
    case PROBLEM.redirect: problems.redirects++; break;
    case PROBLEM.blocked: problems.blocked++; break;
    case PROBLEM.oversized: problems.oversized++; break;
  }
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Bytes as "12.3 MB" (decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * The summary in a few lines, each starting with two spaces (no trailing
 * newline); `withPages: false` leaves out the page counts (`skein status`
 * prints its own).
 */
export function formatSummaryBrief(summary: ReportSummary, withPages = true): string {
  const { pages, problems: pr, responseMs: ms } = summary;
  const statuses = Object.entries(summary.statuses)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([status, n]) => `${status} ×${n.toLocaleString('en-US')}`)
    .join(', ');
  const found: string[] = [];
  if (pr.broken) found.push(`${plural(pr.broken, 'broken URL')} (${plural(pr.brokenLinks, 'link')} to them)`);
  if (pr.redirectLoops) found.push(plural(pr.redirectLoops, 'redirect loop'));
  if (pr.redirects) found.push(plural(pr.redirects, 'redirect'));
  if (pr.blocked) found.push(`${pr.blocked.toLocaleString('en-US')} blocked by robots.txt`);
  if (pr.oversized) found.push(plural(pr.oversized, 'oversized page'));
  if (pr.missingTitle) found.push(`${pr.missingTitle.toLocaleString('en-US')} without title`);
  if (pr.duplicateTitles) found.push(plural(pr.duplicateTitles, 'duplicate title'));
  if (pr.duplicateContent) found.push(`${plural(pr.duplicateContent, 'group')} of duplicate content`);
  if (pr.orphans) found.push(plural(pr.orphans, 'orphan page'));
  const lines = [
    `  pages: ${pages.total.toLocaleString('en-US')} (${pages.ok.toLocaleString('en-US')} ok, ${pages.failed.toLocaleString('en-US')} failed, ${pages.skipped.toLocaleString('en-US')} skipped); ${formatBytes(summary.bytes.total)}`,
    `  status codes: ${statuses || 'none'}`,
    `  response time: median ${ms.p50} ms, p95 ${ms.p95} ms, max ${ms.max} ms; depth ≤ ${Math.max(0, summary.depths.length - 1)}`,
    `  found: ${found.length ? found.join(', ') : 'no problems'}`,
  ];
  if (summary.external.checked > 0) lines.push(`  external links: ${plural(summary.external.checked, 'URL')} checked, ${summary.external.broken.toLocaleString('en-US')} broken`);
  return (withPages ? lines : lines.slice(1)).join('\n');
}
