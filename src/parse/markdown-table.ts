/**
 * HTML tables as GFM tables. The grid honours `colspan` and `rowspan`: a
 * cell spanning columns keeps its text in its first column and leaves the
 * others empty; a cell spanning rows is repeated in each row (so every row
 * reads on its own). The header is the first row when it sits in `<thead>`
 * or holds only `<th>`; a table without one gets an empty header row (GFM
 * needs one) instead of promoting data to a header. A `<caption>` becomes
 * the paragraph before the table.
 *
 * Layout tables (one column, `role="presentation"`, cells holding headings,
 * tables or code) are not data: their cells are rendered as blocks.
 */
import type { Element } from 'domhandler';
import { isElement } from './content-dom.js';

/** Spans above these are treated as these (a hostile `colspan="100000"` stays a small table). */
const MAX_COLSPAN = 50;
const MAX_ROWSPAN = 200;

export interface TableParts {
  caption?: Element;
  rows: Element[];
  /** The first row is a header row. */
  header: boolean;
}

/** The rows of this table (not of tables nested in it), its caption and whether it has a header row. */
export function tableParts(table: Element): TableParts {
  const rows: Element[] = [];
  let caption: Element | undefined;
  let headRows = 0;
  for (const child of table.children) {
    if (!isElement(child)) continue;
    if (child.name === 'caption') caption ??= child;
    else if (child.name === 'tr') rows.push(child);
    else if (child.name === 'thead' || child.name === 'tbody' || child.name === 'tfoot') {
      for (const row of child.children) {
        if (!isElement(row) || row.name !== 'tr') continue;
        rows.push(row);
        if (child.name === 'thead') headRows++;
      }
    }
  }
  const first = rows[0];
  const firstCells = first === undefined ? [] : cellsOf(first);
  const header = headRows > 0 || (firstCells.length > 0 && firstCells.every((cell) => cell.name === 'th'));
  return { ...(caption !== undefined ? { caption } : {}), rows, header };
}

export function cellsOf(row: Element): Element[] {
  return row.children.filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th'));
}

/** A cell with more text than this makes its table a layout table. */
const LAYOUT_CELL_CHARS = 600;
const LAYOUT_INSIDE = new Set(['table', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'article', 'section', 'main', 'nav']);

/** True for a table used for layout rather than data (see the file comment). */
export function isLayoutTable(table: Element, parts: TableParts): boolean {
  const role = table.attribs.role;
  if (role === 'presentation' || role === 'none') return true;
  let columns = 0;
  for (const row of parts.rows) columns = Math.max(columns, cellsOf(row).length);
  if (columns <= 1) return true;
  for (const row of parts.rows) {
    for (const cell of cellsOf(row)) {
      let text = 0;
      const stack = [...cell.children];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (node.type === 'text') text += node.data.length;
        if (!isElement(node)) continue;
        if (LAYOUT_INSIDE.has(node.name)) return true;
        stack.push(...node.children);
      }
      // A cell holding an article's worth of text is a page column, not data.
      if (text > LAYOUT_CELL_CHARS) return true;
    }
  }
  return false;
}

function span(value: string | undefined, max: number): number {
  const n = Number.parseInt(value ?? '1', 10);
  return Number.isFinite(n) && n >= 1 ? Math.min(n, max) : 1;
}

/**
 * The table as a grid of cell texts, spans expanded (see the file comment).
 * @param cellText renders one cell's content on one line
 */
export function tableGrid(rows: readonly Element[], cellText: (cell: Element) => string): string[][] {
  const grid: string[][] = [];
  const pending: Array<{ text: string; rowsLeft: number } | undefined> = [];
  rows.forEach((row, r) => {
    const line: string[] = [];
    let column = 0;
    const fillPending = (): void => {
      while (pending[column] !== undefined) {
        const carried = pending[column]!;
        line[column] = carried.text;
        carried.rowsLeft--;
        if (carried.rowsLeft === 0) pending[column] = undefined;
        column++;
      }
    };
    for (const cell of cellsOf(row)) {
      fillPending();
      const text = cellText(cell);
      const colspan = span(cell.attribs.colspan, MAX_COLSPAN);
      const rowspan = span(cell.attribs.rowspan, Math.min(MAX_ROWSPAN, rows.length - r));
      for (let c = 0; c < colspan; c++) {
        line[column + c] = c === 0 ? text : '';
        if (rowspan > 1) pending[column + c] = { text: c === 0 ? text : '', rowsLeft: rowspan - 1 };
      }
      column += colspan;
    }
    fillPending();
    grid.push(Array.from(line, (cell) => cell ?? ''));
  });
  const width = Math.max(0, ...grid.map((line) => line.length));
  return grid.map((line) => [...line, ...Array<string>(width - line.length).fill('')]);
}

/** A GFM table from a grid; `header` says whether the first row is the header. */
export function gfmTable(grid: readonly string[][], header: boolean): string {
  const width = grid[0]?.length ?? 0;
  if (width === 0) return '';
  const row = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const head = header ? grid[0]! : Array<string>(width).fill('');
  const body = header ? grid.slice(1) : grid;
  const lines = [row(head), `| ${Array<string>(width).fill('---').join(' | ')} |`, ...body.map(row)];
  return lines.map((line) => line.replace(/ {2,}\|/g, ' |')).join('\n');
}
