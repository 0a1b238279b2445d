/**
 * The argument parser of flags that are not config options (config options
 * are checked by the schema): a positive whole number, else a ConfigError
 * naming the flag.
 */
import { ConfigError } from '../core/errors.js';

/** `--pages 200` → 200; `0`, `-1`, `1.5`, `abc` → ConfigError(name). */
export function positiveIntFlag(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new ConfigError(name, `expected a positive whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}
