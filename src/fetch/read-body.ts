/**
 * Reads a (decompressed) response stream with a hard byte cap. The stream is
 * destroyed the moment the cap is passed, which closes the connection: that is
 * what bounds gzip bombs and endless bodies. Never rejects.
 */
import type { Readable } from 'node:stream';

export type ReadBodyResult =
  | { ok: true; body: Buffer; bytes: number }
  /** More than `maxBytes` arrived; the stream was destroyed. */
  | { ok: false; kind: 'too-large'; bytes: number }
  /** The stream failed or closed before its end. */
  | { ok: false; kind: 'error'; error: unknown; bytes: number }
  /** `maxMs` passed before the end; the stream was destroyed. */
  | { ok: false; kind: 'time-limit'; bytes: number };

export interface ReadBodyOptions {
  /** Bytes allowed; one more and the stream is destroyed. */
  maxBytes: number;
  /** Keep the bytes (false: count and discard, e.g. to drain an error page for keep-alive). @default true */
  keep?: boolean;
  /** Give up (destroy the stream) after this long. @default no limit (the request timeout applies) */
  maxMs?: number;
}

const ignore = (): void => {};

/** An error for a stream that closed without ending. Code `ERR_STREAM_PREMATURE_CLOSE`, like Node's. */
export class PrematureCloseError extends Error {
  readonly code = 'ERR_STREAM_PREMATURE_CLOSE';
  constructor() {
    super('the response stream closed before the body ended');
  }
}

/**
 * Reads `stream` to its end, or stops at `maxBytes` / `maxMs`.
 *
 * @example const result = await readBody(response, { maxBytes: 10 * 1024 * 1024 });
 */
export function readBody(stream: Readable, options: ReadBodyOptions): Promise<ReadBodyResult> {
  const keep = options.keep ?? true;
  const chunks: Buffer[] = [];
  let bytes = 0;
  return new Promise<ReadBodyResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: ReadBodyResult, destroy: boolean): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      // Late errors (from the destroy below, or after the end) must not crash the process.
      stream.on('error', ignore);
      if (timer) clearTimeout(timer);
      if (destroy) stream.destroy();
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buffer.length;
      if (bytes > options.maxBytes) {
        finish({ ok: false, kind: 'too-large', bytes }, true);
        return;
      }
      if (keep) chunks.push(buffer);
    };
    const onEnd = (): void => finish({ ok: true, body: keep ? Buffer.concat(chunks, bytes) : Buffer.alloc(0), bytes }, false);
    const onError = (error: unknown): void => finish({ ok: false, kind: 'error', error, bytes }, true);
    const onClose = (): void => finish({ ok: false, kind: 'error', error: new PrematureCloseError(), bytes }, false);

    if (stream.readableEnded) {
      resolve({ ok: true, body: Buffer.alloc(0), bytes: 0 });
      return;
    }
    if (stream.destroyed) {
      resolve({ ok: false, kind: 'error', error: stream.errored ?? new PrematureCloseError(), bytes: 0 });
      return;
    }
    if (options.maxMs !== undefined) {
      timer = setTimeout(() => finish({ ok: false, kind: 'time-limit', bytes }, true), options.maxMs);
    }
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
