/**
 * Where a crawl lives: `<dataDir>/<name>/`. The name's rule and the default
 * data directory, as plain values that the schema uses and that reading a
 * stored crawl (export, status) checks without loading the schema.
 */

/** A crawl name: letters, digits, ".", "_" or "-", at most 100, starting with a letter or digit (it can never escape the data directory). */
export const CRAWL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** What a bad name is told. */
export const CRAWL_NAME_RULE = 'expected letters, digits, ".", "_" or "-" (max 100)';

/** Where crawls are stored when nothing says otherwise. */
export const DEFAULT_DATA_DIR = 'data';
