/**
 * Child process entry of `runBroadCrawlIsolated`: runs one broad crawl
 * (options as JSON in argv[2]) and prints its result as JSON on stdout.
 */
import { runBroadCrawlHere, type BroadCrawlRunOptions } from './broad-crawl.js';

const options = JSON.parse(process.argv[2] ?? '{}') as BroadCrawlRunOptions;
const result = await runBroadCrawlHere(options);
process.stdout.write(JSON.stringify(result));
