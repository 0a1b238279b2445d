/**
 * The report page's client script, part 4 of 4: the sections, each a
 * heading, a line saying what it lists, and a table (report-table.ts); then
 * the summary at the top and the navigation. Runs once, at load.
 */
interface Section {
  id: string;
  title: string;
  help: string;
  rows: ArrayLike<number>;
  columns: TableColumn[];
  sortColumn?: number;
  sortDesc?: boolean;
  /** Counted in the navigation as a problem (red when not zero). */
  problem?: boolean;
}

/** A URL column; an external link check is badged, and found by filtering on "external". */
const urlColumn = (label: string, urlOf: (row: number) => number): TableColumn => ({
  label,
  value: (row) => (isExternal(urlOf(row)) ? `${fullUrl(urlOf(row))} (external)` : fullUrl(urlOf(row))),
  html: (row) => urlCellMarked(urlOf(row)),
});
const pageUrlColumn: TableColumn = urlColumn('URL', (page) => page);
const statusColumn: TableColumn = { label: 'Status', value: (page) => statusText(page) };
const titleColumn: TableColumn = { label: 'Title', value: (page) => textOrGap(P.title[page]!) };
const inlinksColumn: TableColumn = { label: 'Linked from', value: (page) => P.inlinks[page]!, numeric: true, html: (page) => `${fmtInt(P.inlinks[page]!)} page${P.inlinks[page] === 1 ? '' : 's'}` };

/** Links to the pages with `problem`: one row per (page, referrer); a page nothing links to gets one row. */
function problemLinkRows(problem: number): { target: number[]; from: number[]; text: number[] } {
  const rows = { target: [] as number[], from: [] as number[], text: [] as number[] };
  const linked = new Set<number>();
  for (let i = 0; i < D.links.to.length; i++) {
    const to = D.links.to[i]!;
    if (P.problem[to] !== problem) continue;
    linked.add(to);
    rows.target.push(to);
    rows.from.push(D.links.from[i]!);
    rows.text.push(D.links.text[i]!);
  }
  for (let page = 0; page < P.count; page++) {
    if (P.problem[page] === problem && !linked.has(page)) {
      rows.target.push(page);
      rows.from.push(-1);
      rows.text.push(-1);
    }
  }
  return rows;
}

function problemLinkSection(id: string, title: string, help: string, problem: number, extra: TableColumn[] = []): Section {
  const r = problemLinkRows(problem);
  return {
    id, title, help, problem: true,
    rows: r.target.map((_, i) => i),
    columns: [
      urlColumn('URL', (row) => r.target[row]!),
      { label: 'Status', value: (row) => statusText(r.target[row]!) },
      ...extra.map((column): TableColumn => ({ ...column, value: (row) => column.value(r.target[row]!), ...(column.html ? { html: (row: number) => column.html!(r.target[row]!) } : {}) })),
      { label: 'Linked from', value: (row) => (r.from[row]! < 0 ? '' : fullUrl(r.from[row]!)), html: (row) => (r.from[row]! < 0 ? '<span class="muted">no crawled page (a seed or from a sitemap)</span>' : urlCell(r.from[row]!)) },
      { label: 'Link text', value: (row) => str(r.text[row]!) },
    ],
  };
}

function redirectChain(index: number): string {
  const hops = D.redirects.hops[index]!;
  const parts: string[] = [];
  for (let i = 0; i < hops.length; i += 2) parts.push(`${esc(fullUrl(hops[i]!))} <span class="hop">${hops[i + 1]} →</span>`);
  const page = D.redirects.page[index]!;
  parts.push(P.final[page]! >= 0 ? urlCell(P.final[page]!) : '');
  return parts.join(' ');
}

function duplicateSection(id: string, title: string, help: string, key: (page: number) => number, shown: TableColumn): Section {
  const groups = new Map<number, number>();
  for (let page = 0; page < P.count; page++) {
    const k = key(page);
    if (k >= 0) groups.set(k, (groups.get(k) ?? 0) + 1);
  }
  return {
    id, title, help, problem: true,
    rows: pagesWhere((page) => key(page) >= 0 && groups.get(key(page))! > 1),
    columns: [shown, { label: 'Pages', value: (page) => groups.get(key(page))!, numeric: true }, pageUrlColumn],
    sortColumn: 1,
  };
}

/** The "Result" of an external link check, by `PROBLEM` value. */
const EXTERNAL_RESULTS: Record<number, string> = { [K.problem.none]: 'ok', [K.problem.broken]: 'broken', [K.problem.redirectLoop]: 'redirect loop', [K.problem.redirect]: 'redirects', [K.problem.blocked]: 'blocked by robots.txt', [K.problem.oversized]: 'ok' };

function buildSections(): Section[] {
  // External link checks are not pages of the site: they are listed in their own section and with the problems they have.
  const isPage = (page: number): boolean => !isExternal(page);
  const hasResponse = (page: number): boolean => P.status[page]! > 0 && isPage(page);
  const gaps = (page: number): string[] => {
    const out: string[] = [];
    if (P.title[page]! < 0) out.push(`title ${textOrGap(P.title[page]!)}`);
    if (P.description[page] === K.text.missing || P.description[page] === K.text.empty) out.push(`description ${textOrGap(P.description[page]!)}`);
    if (P.h1[page] === 0) out.push('h1 (missing)');
    else if (P.h1[page]! > 1) out.push(`${P.h1[page]} h1 elements`);
    return out;
  };
  const canonicalOf = new Map<number, number>();
  D.canonical.page.forEach((page, i) => canonicalOf.set(page, D.canonical.to[i]!));
  return [
    problemLinkSection('broken', 'Broken links', 'Links to URLs that answered 4xx/5xx or not at all (timeout, refused, unknown host), with every page linking to them and the link text.', K.problem.broken),
    problemLinkSection('loops', 'Redirect loops', 'URLs whose redirects loop or never end, and the pages linking to them.', K.problem.redirectLoop),
    {
      id: 'redirects', title: 'Redirect chains', help: 'URLs that redirect: each hop with its status, where it ends, and how many pages link to the redirecting URL (update those links).',
      rows: D.redirects.page.map((_, i) => i),
      columns: [
        urlColumn('URL', (i) => D.redirects.page[i]!),
        { label: 'Hops', value: (i) => D.redirects.hops[i]!.length / 2, numeric: true },
        { label: 'Chain', value: (i) => D.redirects.hops[i]!.filter((_, k) => k % 2 === 0).map(fullUrl).join(' '), html: redirectChain },
        { label: 'Final status', value: (i) => statusText(D.redirects.page[i]!) },
        { label: 'Linked from', value: (i) => P.inlinks[D.redirects.page[i]!]!, numeric: true },
      ],
      sortColumn: 1,
    },
    problemLinkSection('oversized', 'Oversized pages', 'Pages whose body passed fetch.maxBodyBytes (the download was stopped), and the pages linking to them.', K.problem.oversized, [{ label: 'Bytes read', value: (page) => P.bytes[page]!, numeric: true, html: (page) => formatBytes(P.bytes[page]!) }]),
    {
      id: 'slowest', title: 'Slowest pages', help: 'Response time: waiting for the headers plus reading the body.',
      rows: pagesWhere(hasResponse),
      columns: [pageUrlColumn, { label: 'Response time', value: (page) => P.ms[page]!, numeric: true, html: (page) => `${fmtInt(P.ms[page]!)} ms` }, statusColumn, { label: 'Size', value: (page) => P.bytes[page]!, numeric: true, html: (page) => formatBytes(P.bytes[page]!) }],
      sortColumn: 1, sortDesc: true,
    },
    {
      id: 'largest', title: 'Largest pages', help: 'Body size after decompression.',
      rows: pagesWhere(hasResponse),
      columns: [pageUrlColumn, { label: 'Size', value: (page) => P.bytes[page]!, numeric: true, html: (page) => formatBytes(P.bytes[page]!) }, { label: 'Type', value: (page) => str(P.type[page]!) }, statusColumn],
      sortColumn: 1, sortDesc: true,
    },
    duplicateSection('duplicate-titles', 'Duplicate titles', 'Pages that share their title with another page.', (page) => (isHtmlOk(page) ? P.title[page]! : -1), titleColumn),
    duplicateSection('duplicate-descriptions', 'Duplicate descriptions', 'Pages that share their meta description with another page.', (page) => (isHtmlOk(page) ? P.description[page]! : -1), { label: 'Description', value: (page) => str(P.description[page]!) }),
    duplicateSection('duplicate-content', 'Duplicate content', 'Pages with exactly the same visible text as another page (same content hash).', (page) => (isHtmlOk(page) ? P.duplicate[page]! : -1), { label: 'Group', value: (page) => P.duplicate[page]! + 1, numeric: true }),
    {
      id: 'missing', title: 'Missing title, description or h1', help: 'HTML pages (2xx) with no or an empty <title>, meta description or <h1>, or more than one <h1>.', problem: true,
      rows: pagesWhere((page) => isHtmlOk(page) && gaps(page).length > 0),
      columns: [pageUrlColumn, { label: 'What is wrong', value: (page) => gaps(page).join(', ') }, titleColumn],
    },
    {
      id: 'canonical', title: 'Canonical elsewhere', help: 'Pages whose <link rel="canonical"> names another URL: search engines index that one instead.',
      rows: D.canonical.page.map((page) => page),
      columns: [pageUrlColumn, urlColumn('Canonical URL', (page) => canonicalOf.get(page)!), statusColumn],
    },
    { id: 'noindex', title: 'Noindex pages', help: 'Pages that ask search engines not to index them (meta robots or X-Robots-Tag).', rows: pagesWhere((page) => (P.flags[page]! & K.flag.noindex) !== 0), columns: [pageUrlColumn, titleColumn, inlinksColumn] },
    problemLinkSection('blocked', 'Blocked by robots.txt', 'URLs robots.txt disallows (never fetched), and the pages linking to them.', K.problem.blocked),
    {
      id: 'non-html', title: 'Non-HTML', help: 'Responses that are not HTML pages (PDFs, images, feeds…).',
      rows: pagesWhere((page) => hasResponse(page) && (P.flags[page]! & K.flag.html) === 0 && P.problem[page] === K.problem.none),
      columns: [pageUrlColumn, { label: 'Type', value: (page) => str(P.type[page]!) || '(none)' }, { label: 'Size', value: (page) => P.bytes[page]!, numeric: true, html: (page) => formatBytes(P.bytes[page]!) }, statusColumn, inlinksColumn],
    },
    ...(D.summary.external.checked > 0
      ? [{
          id: 'external', title: 'External links checked', help: 'Off-site URLs the crawl\'s pages link to, checked once each with --check-external (HEAD, or GET when HEAD is refused), not crawled: how they answered and how many pages link to them. Broken ones are in Broken links too.',
          rows: pagesWhere(isExternal),
          columns: [
            pageUrlColumn, statusColumn,
            { label: 'Result', value: (page: number) => EXTERNAL_RESULTS[P.problem[page]!] ?? '' },
            { label: 'Time', value: (page: number) => P.ms[page]!, numeric: true, html: (page: number) => `${fmtInt(P.ms[page]!)} ms` },
            inlinksColumn,
          ],
          sortColumn: 2,
        } as Section]
      : []),
    ...(D.hasLinks
      ? [{ id: 'orphans', title: 'Orphan pages', help: 'HTML pages no crawled page links to (reached from a sitemap or a redirect): nobody browsing the site finds them.', problem: true, rows: pagesWhere((page) => isHtmlOk(page) && P.inlinks[page] === 0 && (P.flags[page]! & K.flag.seed) === 0), columns: [pageUrlColumn, titleColumn, { label: 'Depth', value: (page: number) => P.depth[page]!, numeric: true }] } as Section]
      : []),
    {
      id: 'pages', title: 'All pages', help: 'Every stored page of the crawl (external links checked are listed apart). Click a column to sort, type to filter.',
      rows: pagesWhere(isPage),
      columns: [
        pageUrlColumn, statusColumn,
        { label: 'Outcome', value: (page) => K.outcomes[P.outcome[page]!] ?? '' },
        { label: 'Depth', value: (page) => P.depth[page]!, numeric: true },
        { label: 'Type', value: (page) => str(P.type[page]!) },
        { label: 'Time', value: (page) => P.ms[page]!, numeric: true, html: (page) => `${fmtInt(P.ms[page]!)} ms` },
        { label: 'Size', value: (page) => P.bytes[page]!, numeric: true, html: (page) => formatBytes(P.bytes[page]!) },
        titleColumn, inlinksColumn,
      ],
      sortColumn: 3, sortDesc: false,
    },
  ];
}

function renderSummary(): string {
  const s = D.summary;
  const card = (label: string, value: string, tone = ''): string => `<div class="card ${tone}"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
  const pr = s.problems;
  const started = D.crawl.startedAt ? new Date(D.crawl.startedAt) : undefined;
  const finished = D.crawl.finishedAt ? new Date(D.crawl.finishedAt) : undefined;
  const took = started && finished ? `${Math.max(0, Math.round((finished.getTime() - started.getTime()) / 1000))} s` : '—';
  const cards = [
    card('pages', fmtInt(s.pages.total)),
    card('ok', fmtInt(s.pages.ok), 'ok'),
    card('failed', fmtInt(s.pages.failed), s.pages.failed ? 'bad' : ''),
    card('skipped', fmtInt(s.pages.skipped)),
    card('broken URLs', fmtInt(pr.broken), pr.broken ? 'bad' : 'ok'),
    card('links to them', fmtInt(pr.brokenLinks), pr.brokenLinks ? 'bad' : 'ok'),
    card('median response', `${fmtInt(s.responseMs.p50)} ms`),
    card('p95 response', `${fmtInt(s.responseMs.p95)} ms`),
    card('bytes', formatBytes(s.bytes.total)),
    card('crawl time', took),
    ...(s.external.checked > 0 ? [card('external links checked', fmtInt(s.external.checked)), card('external broken', fmtInt(s.external.broken), s.external.broken ? 'bad' : 'ok')] : []),
  ].join('');
  const depthBars: Bar[] = s.depths.map((value, depth) => ({ label: `depth ${depth}`, value }));
  const percentiles = `<table class="small"><tr><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr><tr>${[s.responseMs.p50, s.responseMs.p90, s.responseMs.p95, s.responseMs.p99, s.responseMs.max].map((ms) => `<td class="num">${fmtInt(ms)} ms</td>`).join('')}</tr></table>`;
  return (
    `<div class="cards">${cards}</div><div class="charts">` +
    barChart('Pages by outcome', [
      { label: 'ok', value: s.pages.ok, tone: 'ok' },
      { label: 'failed', value: s.pages.failed, tone: 'bad' },
      { label: 'skipped', value: s.pages.skipped, tone: 'warn' },
    ]) +
    barChart('Status codes', barsOf(s.statuses, 10, statusTone)) +
    barChart('Pages by depth', depthBars) +
    barChart('Response time', responseTimeBars()) +
    barChart('Content types', barsOf(s.types, 8)) +
    barChart('Reasons (not ok)', barsOf(s.reasons, 10, () => 'warn')) +
    `</div><h3>Response time percentiles</h3>${percentiles}`
  );
}

function renderReport(): void {
  const main = document.getElementById('report')!;
  const seeds = D.crawl.seeds.map((seed) => esc(seed)).join(', ');
  document.getElementById('meta')!.innerHTML = `crawl <b>${esc(D.name)}</b> · seeds ${seeds || '—'} · ${D.crawl.runs} run(s) · report of ${esc(new Date(D.generatedAt).toLocaleString())} · from ${D.dirs.map(esc).join(', ')}`;
  const summary = document.createElement('section');
  summary.id = 'summary';
  summary.innerHTML = `<h2>Summary</h2>${renderSummary()}`;
  main.appendChild(summary);
  const nav = document.getElementById('nav')!;
  let links = '<a href="#summary">Summary</a>';
  for (const section of buildSections()) {
    const element = document.createElement('section');
    element.id = section.id;
    const count = section.rows.length;
    const tone = section.problem && count > 0 ? 'bad' : '';
    element.innerHTML = `<h2>${esc(section.title)} <span class="count ${tone}">${fmtInt(count)}</span></h2><p class="help">${esc(section.help)}</p><div class="table"></div>`;
    main.appendChild(element);
    renderTable(element.querySelector<HTMLElement>('.table')!, {
      rows: section.rows,
      columns: section.columns,
      empty: 'None found.',
      ...(section.sortColumn !== undefined ? { sortColumn: section.sortColumn } : {}),
      ...(section.sortDesc !== undefined ? { sortDesc: section.sortDesc } : {}),
    });
    links += `<a href="#${section.id}">${esc(section.title)} <span class="count ${tone}">${fmtInt(count)}</span></a>`;
  }
  nav.innerHTML = links;
  document.body.dataset.ready = 'true';
}

if (typeof DecompressionStream === 'undefined') {
  document.getElementById('report')!.innerHTML = '<p>This browser cannot open the report: it needs DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 or later).</p>';
} else {
  loadReportData().then(renderReport, (error: unknown) => {
    document.getElementById('report')!.textContent = `The report's data could not be read: ${String(error)}`;
    throw error;
  });
}
