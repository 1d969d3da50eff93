/**
 * Line output to stdout with backpressure and a clean end when the reader goes away
 * (`logsift fingerprint big.log | head`): EPIPE stops the producer instead of crashing.
 */
import type { Writable } from 'node:stream';

export class LineWriter {
  readonly #out: Writable;
  #closed = false;
  #error: Error | null = null;
  #buffer: string[] = [];
  #bufferChars = 0;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', (err: NodeJS.ErrnoException) => {
      this.#closed = true;
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') this.#error = err;
    });
  }

  /** The reader closed the pipe (or the stream failed): stop producing. */
  get closed(): boolean {
    return this.#closed;
  }

  get error(): Error | null {
    return this.#error;
  }

  /** Queue a line; flushes in 64 KiB writes. Await the result to respect backpressure. */
  async line(text: string): Promise<void> {
    if (this.#closed) return;
    this.#buffer.push(text);
    this.#bufferChars += text.length + 1;
    if (this.#bufferChars >= 65536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#closed || this.#buffer.length === 0) return;
    const chunk = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    this.#bufferChars = 0;
    const ok = this.#out.write(chunk);
    if (!ok && !this.#closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#out.off('drain', done);
          this.#out.off('error', done);
          this.#out.off('close', done);
          resolve();
        };
        this.#out.once('drain', done);
        this.#out.once('error', done);
        this.#out.once('close', done);
      });
    }
  }
}
