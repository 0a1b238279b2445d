/**
 * The report page's client script, part 3 of 4: charts as inline SVG
 * (horizontal bars: a label, a bar, a count), where a picture reads faster
 * than a table.
 */
interface Bar {
  label: string;
  value: number;
  /** CSS class of the bar (colour): ok, warn, bad. */
  tone?: 'ok' | 'warn' | 'bad';
}

function barChart(title: string, bars: Bar[]): string {
  if (bars.length === 0) return '';
  const rowHeight = 22;
  const labelWidth = 150;
  const barWidth = 260;
  const width = labelWidth + barWidth + 80;
  const height = bars.length * rowHeight + 4;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  let rows = '';
  bars.forEach((bar, i) => {
    const y = i * rowHeight + 2;
    const w = bar.value === 0 ? 0 : Math.max(2, Math.round((bar.value / max) * barWidth));
    rows +=
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(bar.label)}</text>` +
      `<rect class="bar ${bar.tone ?? ''}" x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" rx="2"><title>${esc(bar.label)}: ${fmtInt(bar.value)}</title></rect>` +
      `<text x="${labelWidth + w + 6}" y="${y + 15}">${fmtInt(bar.value)}</text>`;
  });
  return (
    `<figure class="chart"><figcaption>${esc(title)}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">${rows}</svg></figure>`
  );
}

function statusTone(status: string): Bar['tone'] {
  if (status === 'none' || status >= '500' || (status >= '400' && status < '500')) return 'bad';
  return status >= '300' && status < '400' ? 'warn' : 'ok';
}

/** Counts of a record, largest first (at most `limit` bars, the rest as "other"). */
function barsOf(counts: Record<string, number>, limit = 10, tone?: (key: string) => Bar['tone']): Bar[] {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const bars: Bar[] = entries.slice(0, limit).map(([label, value]) => ({ label, value, ...(tone ? { tone: tone(label) } : {}) }));
  const rest = entries.slice(limit).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) bars.push({ label: 'other', value: rest });
  return bars;
}

const TIME_BUCKETS_MS = [100, 250, 500, 1000, 2000, 5000];

function responseTimeBars(): Bar[] {
  const counts = new Array<number>(TIME_BUCKETS_MS.length + 1).fill(0);
  for (let i = 0; i < P.count; i++) {
    if (P.status[i] === 0 || isExternal(i)) continue;
    const ms = P.ms[i]!;
    let bucket = TIME_BUCKETS_MS.findIndex((limit) => ms < limit);
    if (bucket < 0) bucket = TIME_BUCKETS_MS.length;
    counts[bucket]!++;
  }
  const label = (i: number): string => {
    const fmt = (ms: number): string => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
    if (i === 0) return `< ${fmt(TIME_BUCKETS_MS[0]!)}`;
    if (i === TIME_BUCKETS_MS.length) return `≥ ${fmt(TIME_BUCKETS_MS[i - 1]!)}`;
    return `${fmt(TIME_BUCKETS_MS[i - 1]!)} – ${fmt(TIME_BUCKETS_MS[i]!)}`;
  };
  return counts.map((value, i) => ({ label: label(i), value, tone: i < 3 ? 'ok' : i < 5 ? 'warn' : 'bad' }));
}
