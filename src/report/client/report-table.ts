/**
 * The report page's client script, part 2 of 4: a table built lazily from
 * row numbers and column getters. Only one page of rows (25) is in the DOM
 * at a time, so a table of 100,000 rows costs what a table of 25 does;
 * sorting and filtering work on an index array, never on row objects.
 */
interface TableColumn {
  label: string;
  /** Sort key of a row. */
  value: (row: number) => number | string;
  /** Cell HTML (escaped); defaults to the value. */
  html?: (row: number) => string;
  /** Right-aligned, and sorted descending first. */
  numeric?: boolean;
}

interface TableSpec {
  /** Row numbers (whatever the section's getters understand). */
  rows: ArrayLike<number>;
  columns: TableColumn[];
  /** Column sorted first, and whether descending. @default 0, ascending (descending for numeric columns) */
  sortColumn?: number;
  sortDesc?: boolean;
  /** Shown when there are no rows. */
  empty: string;
}

const PAGE_ROWS = 25;

function renderTable(container: HTMLElement, spec: TableSpec): void {
  const all = Int32Array.from(spec.rows as ArrayLike<number>);
  if (all.length === 0) {
    container.innerHTML = `<p class="none">${esc(spec.empty)}</p>`;
    return;
  }
  let sortColumn = spec.sortColumn ?? 0;
  let sortDesc = spec.sortDesc ?? spec.columns[sortColumn]?.numeric === true;
  let shown = all;
  let pageAt = 0;
  let query = '';

  container.innerHTML =
    '<div class="table-tools"><input type="search" class="filter" placeholder="Filter rows…" aria-label="Filter rows">' +
    '<span class="pager"><button type="button" class="prev" aria-label="Previous rows">‹</button> <span class="range"></span> ' +
    '<button type="button" class="next" aria-label="Next rows">›</button></span></div>' +
    '<div class="scroll"><table><thead><tr></tr></thead><tbody></tbody></table></div>';
  const head = container.querySelector('thead tr')!;
  const body = container.querySelector('tbody')!;
  const range = container.querySelector('.range')!;
  const prev = container.querySelector<HTMLButtonElement>('.prev')!;
  const next = container.querySelector<HTMLButtonElement>('.next')!;
  const filter = container.querySelector<HTMLInputElement>('.filter')!;

  spec.columns.forEach((column, index) => {
    const th = document.createElement('th');
    th.textContent = column.label;
    th.tabIndex = 0;
    th.setAttribute('role', 'button');
    if (column.numeric) th.className = 'num';
    const choose = (): void => {
      if (sortColumn === index) sortDesc = !sortDesc;
      else {
        sortColumn = index;
        sortDesc = column.numeric === true;
      }
      sortAndShow();
    };
    th.addEventListener('click', choose);
    th.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        choose();
      }
    });
    head.appendChild(th);
  });

  function sortAndShow(): void {
    const column = spec.columns[sortColumn]!;
    const keys = Array.from(all, (row) => column.value(row));
    const sign = sortDesc ? -1 : 1;
    const positions = Array.from(keys, (_, i) => i).sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return ka < kb ? -sign : ka > kb ? sign : a - b;
    });
    const sorted = positions.map((position) => all[position]!);
    all.set(sorted);
    head.querySelectorAll('th').forEach((th, index) => {
      th.setAttribute('aria-sort', index === sortColumn ? (sortDesc ? 'descending' : 'ascending') : 'none');
    });
    applyFilter();
  }

  function applyFilter(): void {
    if (query === '') shown = all;
    else {
      const kept: number[] = [];
      for (const row of all) {
        for (const column of spec.columns) {
          if (String(column.value(row)).toLowerCase().includes(query)) {
            kept.push(row);
            break;
          }
        }
      }
      shown = Int32Array.from(kept);
    }
    pageAt = 0;
    draw();
  }

  function draw(): void {
    const start = pageAt * PAGE_ROWS;
    const end = Math.min(shown.length, start + PAGE_ROWS);
    let html = '';
    for (let i = start; i < end; i++) {
      const row = shown[i]!;
      html += '<tr>';
      for (const column of spec.columns) {
        const cell = column.html ? column.html(row) : esc(column.value(row));
        html += column.numeric ? `<td class="num">${cell}</td>` : `<td>${cell}</td>`;
      }
      html += '</tr>';
    }
    body.innerHTML = html || `<tr><td colspan="${spec.columns.length}" class="none">No row matches the filter.</td></tr>`;
    range.textContent = shown.length === 0 ? '0 rows' : `${fmtInt(start + 1)}–${fmtInt(end)} of ${fmtInt(shown.length)}`;
    prev.disabled = pageAt === 0;
    next.disabled = end >= shown.length;
  }

  prev.addEventListener('click', () => {
    pageAt = Math.max(0, pageAt - 1);
    draw();
  });
  next.addEventListener('click', () => {
    if ((pageAt + 1) * PAGE_ROWS < shown.length) pageAt++;
    draw();
  });
  let timer: number | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      query = filter.value.trim().toLowerCase();
      applyFilter();
    }, 120);
  });
  sortAndShow();
}
