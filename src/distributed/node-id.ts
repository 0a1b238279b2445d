/**
 * Ids of a distributed crawl and of its nodes: checked here, with no other
 * import, so that the command line checks `--crawl-id` and `--node-id`
 * without loading the store or a Redis client.
 */
import { hostname } from 'node:os';
import { ConfigError } from '../core/errors.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Checks a crawl or node id (`field` names the flag in the error). */
export function assertId(field: 'crawl-id' | 'node-id', value: string): void {
  if (!ID_PATTERN.test(value)) throw new ConfigError(field, `${JSON.stringify(value)}: expected letters, digits, ".", "_" or "-" (max 100, starting with a letter or digit)`);
}

/** `<hostname>-<pid>`, made a valid id. */
export function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80);
  return `${host || 'node'}-${process.pid}`;
}
