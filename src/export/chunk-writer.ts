/**
 * Writes text to a stream in chunks of about the stream's high-water mark,
 * honouring backpressure (`write()` returning false → wait for `drain`).
 *
 * A destination that goes away (EPIPE from `skein export | head`, or a stream
 * destroyed/closed by its reader) is not an error: `stopped` becomes true and
 * producers stop. Any other stream error is kept and rethrown by the next
 * `write`/`finish` as a `CrawlError` with code `ERR_EXPORT_WRITE`.
 */
import { CrawlError } from '../core/errors.js';

/** Used when the stream does not tell its high-water mark. @default 16 KiB */
const DEFAULT_CHUNK_CHARS = 16 * 1024;

/** Error codes meaning "the reader is gone", which end an export quietly. */
const GONE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_WRITE_AFTER_END']);

function isGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && GONE_CODES.has(code);
}

export class ChunkWriter {
  private buffer = '';
  private gone = false;
  private failure: unknown = undefined;
  private attached = false;
  private wake: (() => void) | undefined;
  private readonly onError = (err: unknown): void => {
    if (isGone(err)) this.gone = true;
    else this.failure ??= err;
    this.wake?.();
  };
  private readonly onClose = (): void => {
    this.gone = true;
    this.wake?.();
  };

  constructor(private readonly out: NodeJS.WritableStream) {}

  private get chunkChars(): number {
    const hwm = (this.out as { writableHighWaterMark?: unknown }).writableHighWaterMark;
    return typeof hwm === 'number' && hwm > 0 ? hwm : DEFAULT_CHUNK_CHARS;
  }

  /** True once the destination is gone: stop producing, nothing more will be written. */
  get stopped(): boolean {
    return this.gone || this.failure !== undefined;
  }

  /** Starts listening for the stream's `error` and `close`. */
  open(): void {
    if (this.attached) return;
    this.out.on('error', this.onError);
    this.out.on('close', this.onClose);
    this.attached = true;
  }

  /**
   * Stops listening. After a stream error the error listener stays, so a late
   * duplicate `error` event cannot crash the process.
   */
  close(): void {
    if (!this.attached) return;
    this.out.off('close', this.onClose);
    if (this.failure === undefined && !this.gone) this.out.off('error', this.onError);
    this.attached = false;
  }

  /** Queues text; writes a chunk when enough has built up. */
  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= this.chunkChars) await this.flush();
  }

  /** Writes what is buffered, waiting for `drain` if the stream asks to. */
  async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.buffer === '' || this.gone) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) await this.until(() => false, 'drain');
    this.throwIfFailed();
  }

  /**
   * Writes the rest and waits until the stream has processed it (and, with
   * `end`, until the stream has finished), so no error can arrive afterwards.
   */
  async finish(end: boolean): Promise<void> {
    await this.flush();
    if (this.gone) return;
    let written = false;
    this.out.write('', () => {
      written = true;
      this.wake?.();
    });
    await this.until(() => written);
    if (end && !this.gone) {
      let finished = false;
      const onFinish = (): void => {
        finished = true;
        this.wake?.();
      };
      this.out.once('finish', onFinish);
      this.out.end();
      await this.until(() => finished);
      this.out.off('finish', onFinish);
    }
    this.throwIfFailed();
  }

  /** Waits until `done()` holds, `event` fires, or the stream fails or goes away. */
  private until(done: () => boolean, event?: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done() && !this.stopped) return;
        finish();
      };
      const finish = (): void => {
        if (event !== undefined) this.out.off(event, finish);
        this.wake = undefined;
        resolve();
      };
      if (event !== undefined) this.out.on(event, finish);
      this.wake = check;
      check();
    });
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const cause = this.failure;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new CrawlError('ERR_EXPORT_WRITE', `export failed while writing: ${detail}`, { cause });
  }
}
