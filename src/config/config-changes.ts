/**
 * What changed between two configs of one crawl (the stored one and the one
 * a resume runs with), leaf by leaf. Pure.
 */
import type { CrawlConfig } from './schema.js';

export interface ConfigChange {
  /** Dotted config path, e.g. `fetch.concurrency`. */
  path: string;
  before: unknown;
  after: unknown;
}

/** The scope settings: changing one changes which URLs belong to the crawl. */
export const SCOPE_KEYS = ['mode', 'include', 'exclude', 'maxDepth', 'stripParams', 'sortParams', 'maxRepeatedSegments', 'maxUrlLength'] as const satisfies readonly (keyof CrawlConfig['scope'])[];

/**
 * Every leaf whose value differs, in the order of `after` (then leaves only
 * `before` has). Arrays are leaves, compared by value.
 */
export function configChanges(before: unknown, after: unknown, prefix = ''): ConfigChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((key) => configChanges(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: prefix, before, after }];
}

/** The changes that alter the crawl's scope: a `scope.*` setting of `SCOPE_KEYS`, or the seeds. */
export function scopeChanges(before: CrawlConfig, after: CrawlConfig): ConfigChange[] {
  const scope = SCOPE_KEYS.flatMap((key) => configChanges(before.scope[key], after.scope[key], `scope.${key}`));
  return [...scope, ...configChanges(before.seeds, after.seeds, 'seeds')];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * False when a scope change can only narrow the scope (nothing the old scope
 * left out could now be in): a lower `maxDepth`, `maxUrlLength` or
 * `maxRepeatedSegments`, more `exclude` patterns, or an `include` list where
 * there was none or a subset of it. Anything else may widen it.
 */
export function mayWiden(change: ConfigChange): boolean {
  const { before, after } = change;
  switch (change.path) {
    case 'scope.maxDepth':
    case 'scope.maxUrlLength':
    case 'scope.maxRepeatedSegments':
      return (after as number) > (before as number);
    case 'scope.exclude':
      return !(before as string[]).every((pattern) => (after as string[]).includes(pattern));
    case 'scope.include': {
      const was = before as string[];
      const now = after as string[];
      return now.length === 0 || (was.length > 0 && !now.every((pattern) => was.includes(pattern)));
    }
    default:
      return true;
  }
}
