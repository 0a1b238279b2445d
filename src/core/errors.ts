/**
 * Error classes. Every error has a stable `code`, a `retryable` flag and keeps
 * its `cause`. Rejected URLs are not errors (see `ReasonCode`). Only
 * `src/cli/main.ts` turns errors into exit codes.
 */

export interface CrawlErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class CrawlError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: CrawlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Invalid config or flags. `field` is the dotted path of the offending option. */
export class ConfigError extends CrawlError {
  readonly field: string;
  constructor(field: string, message: string, options: CrawlErrorOptions = {}) {
    super('ERR_CONFIG', field ? `${field}: ${message}` : message, options);
    this.field = field;
  }
}

export class FetchError extends CrawlError {}
export class ParseError extends CrawlError {}
export class WorkerCrashedError extends CrawlError {
  constructor(message: string, options: CrawlErrorOptions = {}) {
    super('ERR_WORKER_CRASHED', message, { retryable: true, ...options });
  }
}
export class StoreError extends CrawlError {}
export class FrontierError extends CrawlError {}
/** The shared frontier (Redis) could not be reached. Exit code 3 at the CLI. */
export class FrontierUnavailableError extends FrontierError {}
