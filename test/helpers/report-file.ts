/**
 * Reading a written report back: its embedded data, and the rows a user
 * would find in its link sections (page URL, referrer, link text).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { ReportData } from '../../src/report/report-data.js';

/** The data embedded in a report file. */
export async function readReportData(file: string): Promise<ReportData> {
  const html = await readFile(file, 'utf8');
  const match = /<script id="report-data" type="application\/gzip;base64">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error(`no report data in ${file}`);
  return JSON.parse(gunzipSync(Buffer.from(match[1]!, 'base64')).toString('utf8')) as ReportData;
}

export const urlOf = (data: ReportData, id: number): string => {
  const url = data.urls[id]!;
  return url.startsWith('/') ? data.origin + url : url;
};

/** For every page with `problem`: its URL → the set of "referrer URL | link text" the report lists. */
export function referrersByProblem(data: ReportData, problem: number): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (let page = 0; page < data.pages.count; page++) if (data.pages.problem[page] === problem) out.set(urlOf(data, page), new Set());
  data.links.to.forEach((to, i) => {
    if (data.pages.problem[to] !== problem) return;
    const text = data.links.text[i]! >= 0 ? data.strings[data.links.text[i]!]! : '';
    out.get(urlOf(data, to))!.add(`${urlOf(data, data.links.from[i]!)} | ${text}`);
  });
  return out;
}
