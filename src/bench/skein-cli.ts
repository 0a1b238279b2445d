/**
 * The `skein` script of a build, as a user runs it: the bundled CLI
 * (dist/bundle/cli/main.js, package.json's `bin`), or for a build from before
 * the bundle, the CLI tsc built.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The CLI script of the build in `dist`. */
export function skeinCli(dist: string): string {
  const bundled = path.join(dist, 'bundle/cli/main.js');
  return existsSync(bundled) ? bundled : path.join(dist, 'src/cli/main.js');
}
