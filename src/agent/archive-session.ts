import { PassThrough, type Readable } from 'node:stream';
import { ArchiveError, extractInto, packPath, statPath } from './archive';
import { Inbox, Outbox } from './outbox';
import type { ArchiveErrorKind, DataFrame } from './protocol';
import type { SessionHost } from './process-session';

const failure = (err: unknown): { kind: ArchiveErrorKind; message: string } =>
  err instanceof ArchiveError ? { kind: err.kind, message: err.message } : { kind: 'failed', message: (err as Error).message };

/**
 * One `docker cp` request: a stat, a tar read from the container (get), or a tar written into
 * it (put). Archive sessions do not survive a dropped connection: the daemon fails the request
 * and the client may retry.
 */
export class ArchiveSession {
  readonly s: number;
  readonly #host: SessionHost;
  readonly #cwd: string;
  #out: Outbox;
  #in = new Inbox();
  #source: Readable | undefined;
  #sink: PassThrough | undefined;
  #closed = false;
  readonly #onDone: () => void;

  /** `onDone` runs once the call has given its last answer. */
  constructor(s: number, host: SessionHost, cwd: string, onDone: () => void) {
    this.s = s;
    this.#host = host;
    this.#cwd = cwd;
    this.#out = new Outbox(s);
    this.#onDone = onDone;
  }

  #answer(msg: Parameters<SessionHost['control']>[0]): void {
    this.#host.control(msg);
    this.#onDone();
  }

  async stat(path: string): Promise<void> {
    try {
      this.#answer({ t: 'stat', s: this.s, stat: await statPath(path, this.#cwd) });
    } catch (err) {
      this.#answer({ t: 'stat', s: this.s, error: failure(err) });
    }
  }

  /** Stat first (the daemon needs it for the response header), then the tar, then `end`. */
  async get(path: string): Promise<void> {
    let source: Readable;
    try {
      const stat = await statPath(path, this.#cwd);
      source = await packPath(path, this.#cwd);
      this.#host.control({ t: 'stat', s: this.s, stat });
    } catch (err) {
      this.#answer({ t: 'stat', s: this.s, error: failure(err) });
      return;
    }
    this.#source = source;
    source.on('data', (chunk: Buffer) => {
      this.#host.send(this.#out.push('archive', chunk));
      if (this.#out.full) source.pause();
    });
    source.once('end', () => this.#answer({ t: 'end', s: this.s }));
    source.once('error', (err) => this.#answer({ t: 'end', s: this.s, error: err.message }));
  }

  ack(seq: number): void {
    this.#out.ack(seq);
    if (this.#source && !this.#out.full && !this.#closed) this.#source.resume();
  }

  put(path: string, noOverwriteDirNonDir: boolean): void {
    const sink = new PassThrough();
    this.#sink = sink;
    extractInto(path, this.#cwd, sink, { noOverwriteDirNonDir }).then(
      () => this.#answer({ t: 'putDone', s: this.s }),
      (err) => {
        // The rest of the tar is still acknowledged (and dropped) so the daemon's sender never stalls.
        sink.resume();
        this.#answer({ t: 'putDone', s: this.s, error: failure(err) });
      },
    );
  }

  data(frame: DataFrame): void {
    if (!this.#in.accept(frame)) return;
    const ack = () => this.#host.control({ t: 'ack', s: this.s, seq: frame.seq });
    if (!this.#sink || this.#sink.destroyed || this.#sink.writableEnded) return ack();
    this.#sink.write(frame.data, ack);
  }

  putEnd(): void {
    this.#sink?.end();
  }

  close(): void {
    this.#closed = true;
    this.#source?.destroy();
    this.#sink?.destroy();
  }
}
