/**
 * Where a node of a distributed crawl stores its pages: apart from joining
 * (which needs Redis) so that `status` and `export` read node stores without
 * loading a Redis client.
 */
import path from 'node:path';
import { crawlPaths, type CrawlPaths } from '../store/crawl-dir.js';

/** `<dataDir>/<crawlId>/nodes/<nodeId>/`. */
export function nodePaths(dataDir: string, crawlId: string, nodeId: string): CrawlPaths {
  return crawlPaths(path.join(dataDir, crawlId, 'nodes'), nodeId);
}
