/**
 * The Chromium the browser tests drive (playwright-core, which downloads no
 * browser of its own): $SKEIN_CHROMIUM, else the Debian package's binary
 * (`apt-get install chromium`, which .ci/run does), else undefined.
 */
import { accessSync, constants } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | undefined {
  for (const path of [process.env.SKEIN_CHROMIUM, ...CANDIDATES]) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Why a browser test is skipped, when it is. */
export const NO_CHROMIUM = 'no Chromium found (install the Debian package "chromium", as .ci/run does, or set SKEIN_CHROMIUM to a Chromium binary): the report is not opened in a browser';
