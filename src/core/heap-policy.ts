/**
 * How far V8 lets the main process's heap grow between full collections.
 *
 * A crawl's main process keeps little alive (about 25 MB of live heap in the
 * 10,000-page benchmark and on a 2,000-host broad crawl) but allocates fast:
 * each page's request, response and record pass through it, and the ones in
 * flight when the young generation is collected are promoted. V8 sizes the
 * old generation from the live size times a factor it picks from the GC's
 * speed, up to 4×, so the garbage promoted meanwhile took the heap to
 * 110–145 MB, and the process's peak RSS with it. Capping the factor at 2.5×
 * (`--heap-growing-percent=150`) costs a few more full collections of that
 * small live heap. Measured on the 10,000-page benchmark (docs/performance.md).
 *
 * V8 reads this flag at each full collection, so it takes effect when set at
 * run time. Only the processes skein owns set it (the CLI's crawl, the
 * benchmarks' crawl processes); `createCrawler` leaves a host program's heap
 * alone.
 */
import { setFlagsFromString } from 'node:v8';

export const MAIN_HEAP_GROWING_PERCENT = 150;

export function applyCrawlHeapPolicy(): void {
  setFlagsFromString(`--heap-growing-percent=${MAIN_HEAP_GROWING_PERCENT}`);
}
