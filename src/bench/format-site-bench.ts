/**
 * The terminal report of `skein bench`: what was sampled, a table per mode ×
 * workers, and the recommendation. Pure.
 */
import { describeMachine } from './machine-info.js';
import type { SiteBenchReport } from './site-bench.js';
import { formatNumber, formatTable } from './text-table.js';

export function formatSiteBench(report: SiteBenchReport): string {
  const { sample, recommendation: rec } = report;
  const head = [
    `skein bench: ${report.target.url}${report.target.local ? ' (local generated site)' : ''}`,
    `machine: ${describeMachine(report.machine)}; parser.workers "auto" = ${report.machine.autoWorkers}`,
    `sample: ${sample.pages} HTML pages fetched once in ${formatNumber(sample.seconds)} s (${sample.notKept} other), median ${Math.round(sample.bytesPerPage / 1024)} KiB`,
    `per page (medians): network ${formatNumber(sample.networkMsPerPage)} ms (wait ${formatNumber(sample.waitMsPerPage)} + download ${formatNumber(sample.downloadMsPerPage)}) vs parse CPU ${formatNumber(sample.parseMsPerPage)} ms`,
    `the crawl's main process besides parsing (fetch, store, frontier): ${formatNumber(sample.crawlMainMsPerPage)} CPU ms/page in the sample crawl`,
    '',
  ];
  const table = formatTable(
    ['mode', 'workers', 'extraction pages/s', 'crawl pages/s (est.)', 'parse ms/page', 'IPC ms/page', 'CPU ms/page main', 'CPU ms/page workers', 'peak RSS MiB'],
    report.results.map((r) => [r.mode, r.workers, r.pagesPerSecond, r.crawlPagesPerSecond, r.parseMsPerPage, r.ipcMsPerPage, r.cpuMsPerPage.main, r.cpuMsPerPage.workers, r.peakRssMb]),
  );
  const tail = [
    '',
    `recommendation: parser.mode "${rec.mode}", parser.workers ${rec.workers}, fetch.concurrency ${rec.fetchConcurrency}`,
    `  ${rec.reason}`,
    '',
  ];
  return head.join('\n') + '\n' + table + tail.join('\n');
}
