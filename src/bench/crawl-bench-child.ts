/**
 * Child-process entry for one benchmark crawl: a fresh process per crawl, so
 * a run's heap and RSS never carry over into the next one. argv[2] is the
 * JSON of `CrawlBenchOptions`. The parent samples this process's tree: the
 * child asks it to start (`start` → `started`) and to stop (`stop` →
 * `stopped` with the usage), then sends `result` and exits.
 */
import type { TreeUsage } from './process-tree-sampler.js';
import { applyCrawlHeapPolicy } from '../core/heap-policy.js';
import { runCrawlBench, type CrawlBenchOptions, type CrawlChildMessage, type CrawlParentMessage } from './crawl-bench.js';

const options = JSON.parse(process.argv[2] ?? '{}') as CrawlBenchOptions;
// The crawl's heap as the CLI runs it.
applyCrawlHeapPolicy();

function send(message: CrawlChildMessage, then: () => void = () => {}): void {
  process.send?.(message, then);
}

/** Sends `message` and resolves with the parent's answer of type `type`. */
function ask<T extends CrawlParentMessage['type']>(message: CrawlChildMessage, type: T): Promise<Extract<CrawlParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown): void => {
      const answer = raw as CrawlParentMessage;
      if (answer.type !== type) return;
      process.off('message', onMessage);
      resolve(answer as Extract<CrawlParentMessage, { type: T }>);
    };
    process.on('message', onMessage);
    send(message);
  });
}

const meter = {
  start: async (): Promise<void> => void (await ask({ type: 'start' }, 'started')),
  stop: async (): Promise<TreeUsage> => (await ask({ type: 'stop' }, 'stopped')).usage,
};

// A parent that dies (killed, or Ctrl-C'd alone) leaves no crawl running on: the parser workers go with this process.
let answered = false;
process.once('disconnect', () => {
  if (!answered) process.exit(1);
});

try {
  const result = await runCrawlBench(options, meter);
  answered = true;
  send({ type: 'result', ok: true, result }, () => process.disconnect());
} catch (error) {
  answered = true;
  send({ type: 'result', ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.disconnect());
}
