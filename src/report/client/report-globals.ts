/**
 * The report page's client script, part 1 of 4 (render-report.ts inlines
 * the compiled parts in order, inside one function scope): the embedded
 * data and small helpers every part uses. A plain script, not a module: the
 * report opens from disk with no server, and everything it needs is inline.
 */
type ReportData = import('../report-data.js').ReportData;

/** The data render-report.ts embedded (gzipped JSON in base64), set by `loadReportData` before anything draws. */
let D: ReportData;
let P: ReportData['pages'];

/** Inflates the embedded data with the browser's DecompressionStream (no library, nothing fetched). */
async function loadReportData(): Promise<void> {
  const base64 = document.getElementById('report-data')!.textContent!.trim();
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  D = (await new Response(stream).json()) as ReportData;
  P = D.pages;
}
/** Same values as report-data.ts (that module's runtime code is not inlined). */
const K = {
  outcomes: ['ok', 'failed', 'skipped'],
  flag: { noindex: 1, html: 2, unfetched: 4, canonicalElsewhere: 8, seed: 16, external: 32 },
  text: { missing: -1, empty: -2, unique: -3 },
  problem: { none: 0, broken: 1, redirectLoop: 2, redirect: 3, blocked: 4, oversized: 5 },
} as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function fullUrl(id: number): string {
  const url = D.urls[id] ?? '';
  return url.startsWith('/') ? D.origin + url : url;
}

/** A link to the URL (opens in a new tab); plain text when it is not http(s). */
function urlCell(id: number): string {
  const url = fullUrl(id);
  if (!/^https?:\/\//i.test(url)) return esc(url);
  return `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(url)}</a>`;
}

/** True for an off-site link checked with --check-external (a URL id past the pages is none). */
function isExternal(id: number): boolean {
  return id < P.count && (P.flags[id]! & K.flag.external) !== 0;
}

/** The URL cell of a table: a link, with an "external" badge on external link checks. */
function urlCellMarked(id: number): string {
  return isExternal(id) ? `${urlCell(id)} <span class="badge" title="an off-site link checked (--check-external), not a page of the crawl">external</span>` : urlCell(id);
}

function str(id: number): string {
  return id >= 0 ? (D.strings[id] ?? '') : '';
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Bytes as "12.3 MB": report-summary.ts's `formatBytes`, inlined by render-report.ts (one implementation). */
declare function formatBytes(bytes: number): string;

/** "404", or the reason when no response came ("timeout"). */
function statusText(page: number): string {
  const status = P.status[page]!;
  const reason = str(P.reason[page]!);
  if (status === 0) return reason || '—';
  return reason && reason !== 'http-error' ? `${status} (${reason})` : String(status);
}

/** Pages (0..count-1) for which `keep` is true. */
function pagesWhere(keep: (page: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < P.count; i++) if (keep(i)) out.push(i);
  return out;
}

/** Title and `textCount` for a page's title/description: the text, or "(missing)"/"(empty)". */
function textOrGap(id: number, uniqueLabel = ''): string {
  if (id === K.text.missing) return '(missing)';
  if (id === K.text.empty) return '(empty)';
  if (id === K.text.unique) return uniqueLabel;
  return str(id);
}

function isHtmlOk(page: number): boolean {
  return (P.flags[page]! & K.flag.html) !== 0 && P.status[page]! >= 200 && P.status[page]! < 300;
}
