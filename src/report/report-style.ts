/** The report page's stylesheet (inlined; light and dark, print-friendly). */
export const REPORT_CSS = `
:root { color-scheme: light dark; --fg: #1d2329; --muted: #5f6b76; --bg: #fff; --panel: #f4f6f8; --line: #d9dee3; --ok: #2f9e5b; --warn: #d48a00; --bad: #d1344b; --link: #0b62c4; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ec; --muted: #9aa6b1; --bg: #15191d; --panel: #1e242a; --line: #323a42; --link: #6db0ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 20px; }
#meta { color: var(--muted); font-size: 13px; }
#nav { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 8px 24px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 1; font-size: 13px; }
#nav a { color: var(--link); text-decoration: none; white-space: nowrap; }
main { padding: 0 24px 48px; }
section { margin-top: 28px; }
h2 { font-size: 17px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.help { margin: 0 0 8px; color: var(--muted); }
.count { display: inline-block; min-width: 1.6em; padding: 0 6px; border-radius: 9px; background: var(--panel); color: var(--muted); font-size: 12px; text-align: center; }
.count.bad { background: var(--bad); color: #fff; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { background: var(--panel); border-radius: 6px; padding: 8px 14px; min-width: 110px; border-top: 3px solid var(--line); }
.card.ok { border-top-color: var(--ok); } .card.bad { border-top-color: var(--bad); }
.card .value { font-size: 20px; font-weight: 600; } .card .label { color: var(--muted); font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.chart { margin: 0; } .chart figcaption { font-weight: 600; margin-bottom: 4px; }
.chart text { font-size: 12px; fill: var(--fg); }
.bar { fill: #6b8fb5; } .bar.ok { fill: var(--ok); } .bar.warn { fill: var(--warn); } .bar.bad { fill: var(--bad); }
.table-tools { display: flex; gap: 12px; align-items: center; margin-bottom: 6px; }
.filter { width: 280px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.pager { color: var(--muted); font-size: 13px; }
.pager button { border: 1px solid var(--line); background: var(--panel); color: var(--fg); border-radius: 4px; cursor: pointer; }
.pager button:disabled { opacity: 0.4; cursor: default; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
table.small { width: auto; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); cursor: pointer; user-select: none; white-space: nowrap; position: relative; }
th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; } th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
td { max-width: 520px; overflow-wrap: anywhere; }
td.num, th.num { text-align: right; white-space: nowrap; }
td a { color: var(--link); }
.none, .muted { color: var(--muted); }
.hop { color: var(--muted); white-space: nowrap; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; border: 1px solid var(--line); color: var(--muted); font-size: 11px; white-space: nowrap; }
noscript p { padding: 24px; }
@media print { #nav, .table-tools { display: none; } }
`;
