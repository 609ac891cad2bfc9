import { Inbox, Outbox } from '../../agent/outbox';
import type { DaemonMessage, DataFrame, ExitStatus, SessionReport } from '../../agent/protocol';

/** Where a process's output goes: an attach or exec client's connection. */
export interface OutputSink {
  /** Writes a chunk; false when the client is congested (it then calls `drained` on the channel). */
  write(stream: 'stdout' | 'stderr', data: Buffer): boolean;
  /** The process has ended and every byte was written. */
  end(): void;
}

/** What a channel needs from its link to the agent. */
export interface ChannelLink {
  readonly connected: boolean;
  send(msg: DaemonMessage): void;
  sendData(frame: DataFrame): void;
}

/**
 * The daemon's side of one agent process session (the main process or an exec): output fanned
 * out to sinks, stdin numbered into an outbox. Output is acknowledged to the agent only once no
 * sink is congested, so a slow client holds the process back instead of filling memory.
 */
export class ProcessChannel {
  readonly s: number;
  /** Taps every new output chunk (the main process's live log). */
  onOutput: ((frame: DataFrame) => void) | undefined;
  pid: number | undefined;
  #exit: ExitStatus | undefined;
  #error: string | undefined;
  readonly #link: ChannelLink;
  readonly #inbox = new Inbox();
  readonly #sinks = new Set<OutputSink>();
  readonly #congested = new Set<OutputSink>();
  readonly #stdin: Outbox;
  #stdinEnded = false;
  #acked = 0;
  #room: Array<() => void> = [];
  readonly ended: Promise<ExitStatus>;
  #resolveEnded!: (status: ExitStatus) => void;

  constructor(s: number, link: ChannelLink) {
    this.s = s;
    this.#link = link;
    this.#stdin = new Outbox(s);
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  get exit(): ExitStatus | undefined {
    return this.#exit;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Last output seq acknowledged: a welcome tells the agent to send again only what follows. */
  get acked(): number {
    return this.#acked;
  }

  addSink(sink: OutputSink): void {
    if (this.#exit) return sink.end();
    this.#sinks.add(sink);
  }

  removeSink(sink: OutputSink): void {
    this.#sinks.delete(sink);
    this.drained(sink);
  }

  output(frame: DataFrame): void {
    if (this.#inbox.accept(frame) && (frame.stream === 'stdout' || frame.stream === 'stderr')) {
      this.onOutput?.(frame);
      for (const sink of this.#sinks) if (!sink.write(frame.stream, frame.data)) this.#congested.add(sink);
    }
    // A duplicate (sent again after a resume) is acknowledged too, so the agent can let it go.
    this.#flushAck();
  }

  /** Forgets every sink without ending it (their clients get the output elsewhere). */
  releaseSinks(): void {
    this.#sinks.clear();
    this.#congested.clear();
  }

  drained(sink: OutputSink): void {
    this.#congested.delete(sink);
    this.#flushAck();
  }

  #flushAck(): void {
    const seq = this.#inbox.lastSeq;
    if (this.#congested.size > 0 || seq <= this.#acked || !this.#link.connected) return;
    this.#acked = seq;
    this.#link.send({ t: 'ack', s: this.s, seq });
  }

  /** Queues stdin for the process; false when the window is full (wait for `room()`). */
  writeStdin(data: Buffer): boolean {
    const frame = this.#stdin.push('stdin', data);
    if (this.#link.connected) this.#link.sendData(frame);
    return !this.#stdin.full;
  }

  room(): Promise<void> {
    if (!this.#stdin.full || this.#exit) return Promise.resolve();
    return new Promise((resolve) => this.#room.push(resolve));
  }

  stdinAcked(seq: number): void {
    this.#stdin.ack(seq);
    if (!this.#stdin.full) this.#wake();
  }

  /** The client half-closed: the process sees EOF once everything before it was written. */
  endStdin(): void {
    if (this.#stdinEnded) return;
    this.#stdinEnded = true;
    if (this.#link.connected) this.#link.send({ t: 'stdinEnd', s: this.s });
  }

  /** After a reconnect: what the agent lacks of stdin, sent again. */
  resume(report: SessionReport | undefined): void {
    for (const frame of this.#stdin.unacked(report?.inSeq ?? 0)) this.#link.sendData(frame);
    if (this.#stdinEnded) this.#link.send({ t: 'stdinEnd', s: this.s });
    this.#flushAck();
  }

  finish(status: ExitStatus, error?: string): void {
    if (this.#exit) return;
    this.#exit = status;
    this.#error = error;
    for (const sink of this.#sinks) sink.end();
    this.#sinks.clear();
    this.#congested.clear();
    this.#wake();
    this.#resolveEnded(status);
  }

  #wake(): void {
    const waiting = this.#room;
    this.#room = [];
    for (const resolve of waiting) resolve();
  }
}
