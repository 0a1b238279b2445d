/**
 * Module resolve hook (registered by import-trace-register.ts): appends
 * "<pid> <package>" to the file named by IMPORT_TRACE_FILE for every import
 * that resolves into node_modules, and "<pid> src/<path>" for every module of
 * skein's own (dist/src/). It runs on the loader thread of each
 * process that has the hook (NODE_OPTIONS reaches worker processes too), so
 * the pid tells the main process from its parser workers.
 */
import { appendFileSync } from 'node:fs';

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

const PACKAGE = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const OWN = /\/dist\/(src\/[^?#]+)/;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string }> {
  const result = await nextResolve(specifier, context);
  const match = PACKAGE.exec(result.url) ?? OWN.exec(result.url);
  const file = process.env.IMPORT_TRACE_FILE;
  if (match && file) appendFileSync(file, `${process.pid} ${match[1]}\n`);
  return result;
}
