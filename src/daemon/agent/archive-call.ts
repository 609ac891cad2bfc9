import { PassThrough, type Readable } from 'node:stream';
import { Inbox, Outbox } from '../../agent/outbox';
import type { AgentMessage, ArchiveErrorKind, DataFrame, PathStat } from '../../agent/protocol';
import type { ChannelLink } from './process-channel';

/** A `docker cp` request the agent refused or could not finish. */
export class ArchiveFailure extends Error {
  constructor(readonly kind: ArchiveErrorKind | 'unavailable', message: string) {
    super(message);
  }
}

type Reply = Extract<AgentMessage, { t: 'stat' | 'end' | 'putDone' }>;

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/**
 * One archive session: a stat, a tar coming from the agent (get) or going to it (put). Incoming
 * tar chunks are acknowledged as the HTTP client takes them; outgoing ones wait for the agent's
 * acknowledgements once the window is full.
 */
export class ArchiveCall {
  readonly s: number;
  readonly #link: ChannelLink;
  readonly #inbox = new Inbox();
  readonly #out: Outbox;
  #stat = deferred<PathStat>();
  #done = deferred<void>();
  #room: (() => void) | undefined;
  readonly body = new PassThrough();

  constructor(s: number, link: ChannelLink) {
    this.s = s;
    this.#link = link;
    this.#out = new Outbox(s);
    // Unobserved failures are expected (a stat-only call never reads `done`).
    this.#stat.promise.catch(() => {});
    this.#done.promise.catch(() => {});
    this.body.on('error', () => {});
  }

  get stat(): Promise<PathStat> {
    return this.#stat.promise;
  }

  get done(): Promise<void> {
    return this.#done.promise;
  }

  reply(msg: Reply): void {
    if (msg.t === 'stat') {
      if (msg.stat) this.#stat.resolve(msg.stat);
      else this.fail(new ArchiveFailure(msg.error?.kind ?? 'failed', msg.error?.message ?? 'stat failed'));
    } else if (msg.t === 'end') {
      if (msg.error) this.body.destroy(new Error(msg.error));
      else this.body.end();
      this.#done.resolve();
    } else if (msg.error) {
      this.fail(new ArchiveFailure(msg.error.kind, msg.error.message));
    } else {
      this.#done.resolve();
    }
  }

  /** A tar chunk from the agent, acknowledged once the client has taken it. */
  data(frame: DataFrame): void {
    if (!this.#inbox.accept(frame)) return;
    this.body.write(frame.data, () => this.#link.send({ t: 'ack', s: this.s, seq: frame.seq }));
  }

  acked(seq: number): void {
    this.#out.ack(seq);
    if (!this.#out.full) this.#room?.();
  }

  /** Streams a tar to the agent under flow control, then tells it the tar is complete. */
  async send(source: Readable): Promise<void> {
    for await (const chunk of source) {
      if (!this.#link.connected) throw new ArchiveFailure('unavailable', 'the agent disconnected during the copy');
      this.#link.sendData(this.#out.push('archive', chunk as Buffer));
      while (this.#out.full) await new Promise<void>((resolve) => (this.#room = resolve));
      this.#room = undefined;
    }
    this.#link.send({ t: 'putEnd', s: this.s });
  }

  fail(err: Error): void {
    this.#stat.reject(err);
    this.#done.reject(err);
    this.body.destroy(err);
    this.#room?.();
  }
}
