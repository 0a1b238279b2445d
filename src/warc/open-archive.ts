/**
 * Opens a crawl's WARC archive from its config (`output.warc`): file naming,
 * the warcinfo record's fields (software, crawl, robots policy, User-Agent,
 * the crawl's config and its digest, secrets redacted), and the recovery of a
 * previous run's uncommitted tail, reported as a log line. The archive's
 * modules are imported only by a crawl that writes WARC files.
 */
import path from 'node:path';
import type { CrawlConfig } from '../config/schema.js';
import type { CrawlEventBus } from '../core/events.js';
import type { SecretRedactor } from '../fetch/redact-secrets.js';
import { fixtureMeta } from '../replay/record-replay.js';
import type { WarcArchive } from './warc-archive.js';
import { sha1Digest, type WarcFields } from './warc-record.js';

/** The software field of warcinfo records. */
export const WARC_SOFTWARE = 'skein/0.1.0 (+https://github.com/skein-crawler/skein)';

/** The warcinfo field holding the crawl's config (JSON, what differs from the defaults; what `--replay` runs). */
export const CONFIG_FIELD = 'skein-config';

export interface OpenArchiveContext {
  name: string;
  /** The crawl's (or node's) directory: `warc-state.json` goes there. */
  crawlDir: string;
  nodeId?: string;
  redactor: SecretRedactor;
  /** Pages stored now (tells which committed length of the last run holds). */
  storeSize: number;
  events: CrawlEventBus;
}

/** Opens the archive; undefined when `output.warc` is not set. */
export async function openWarcArchive(config: CrawlConfig, context: OpenArchiveContext): Promise<WarcArchive | undefined> {
  const warc = config.output.warc;
  if (!warc) return undefined;
  const { WarcArchive } = await import('./warc-archive.js');
  const { archive, recovered } = await WarcArchive.open(
    {
      dir: path.resolve(warc.dir),
      statePath: path.join(context.crawlDir, 'warc-state.json'),
      prefix: warc.prefix ?? context.name,
      ...(context.nodeId ? { nodeId: context.nodeId } : {}),
      gzip: warc.gzip,
      gzipLevel: warc.gzipLevel,
      maxFileBytes: warc.maxFileMb * 2 ** 20,
      metadata: warc.metadata,
      redactor: context.redactor,
      info: warcinfoFields(config, context.name),
      digestsPath: path.join(context.crawlDir, 'warc-digests.tsv'),
      onIndexLoaded: ({ lines, digests, ms }) =>
        context.events.emit('log', { level: 'info', message: `WARC: revisit index read back from earlier runs: ${digests} payload digest(s) from ${lines} line(s) in ${ms} ms` }),
    },
    context.storeSize,
  );
  if (recovered) {
    const what = `${recovered.cutBytes} byte(s) past its last committed record (records of pages that are fetched again, or a torn record)`;
    context.events.emit('log', { level: 'warn', message: `WARC: cut ${what} from ${recovered.file}; this run writes a new file` });
  }
  return archive;
}

/** The warcinfo fields of a crawl. Pure. */
export function warcinfoFields(config: CrawlConfig, name: string): WarcFields {
  const { output: _output, ...pinned } = fixtureMeta(config).config;
  const configJson = JSON.stringify(pinned);
  return [
    ['software', WARC_SOFTWARE],
    ['format', 'WARC File Format 1.1'],
    ['conformsTo', 'http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
    ['isPartOf', name],
    ['robots', config.politeness.respectRobots ? 'obey' : 'ignore'],
    ['http-header-user-agent', config.fetch.userAgent],
    ['skein-config-digest', sha1Digest(Buffer.from(configJson, 'utf8'))],
    [CONFIG_FIELD, configJson],
  ];
}
