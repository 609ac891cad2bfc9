import { Inbox, Outbox } from './outbox';
import type { AgentMessage, DataFrame, DataStream, ExitStatus, SessionReport } from './protocol';

/** What a session needs from the agent's connection. */
export interface SessionHost {
  /** Sends at once when connected; otherwise drops (the outbox keeps data for the resume). */
  send(frame: DataFrame): void;
  control(msg: AgentMessage): void;
  readonly connected: boolean;
}

export interface SessionOptions {
  /** Copies output elsewhere as it is read (the main process's console, which ACA collects). */
  tee?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  /**
   * While disconnected, keep reading and hold at most this many bytes, shedding the oldest
   * (main process: it must not block on a daemon that is away, and its console has every byte).
   * 0: stop reading once the window is full, so the process blocks until the daemon is back.
   */
  disconnectedLimit: number;
  onEnd?: (status: ExitStatus) => void;
}

/**
 * The bookkeeping every process session shares, piped (process-session.ts) or on a terminal
 * (pty-session.ts): output numbered into an outbox and read only while the window has room,
 * stdin's numbered frames, the exit report repeated until acknowledged, and the resume after a
 * reconnect. A session supplies how its output is paused and how stdin reaches its process.
 */
export abstract class Session {
  readonly s: number;
  readonly out: Outbox;
  protected readonly host: SessionHost;
  readonly #in = new Inbox();
  readonly #opts: SessionOptions;
  #paused = false;
  #exit: ExitStatus | undefined;
  #error: string | undefined;
  #exitAcked = false;

  constructor(s: number, host: SessionHost, opts: SessionOptions) {
    this.s = s;
    this.out = new Outbox(s);
    this.host = host;
    this.#opts = opts;
  }

  get exit(): ExitStatus | undefined {
    return this.#exit;
  }

  /** Ended, every byte acknowledged and the exit acknowledged: nothing left to resume. */
  get done(): boolean {
    return this.#exitAcked && this.out.bytes === 0;
  }

  /** Stops or restarts reading the process's output. */
  protected abstract setReading(paused: boolean): void;

  /** Numbers a chunk of output and sends it (or holds it while disconnected). */
  protected output(stream: DataStream, chunk: Buffer, source: 'stdout' | 'stderr'): void {
    this.#opts.tee?.(source, chunk);
    const frame = this.out.push(stream, chunk);
    if (this.host.connected) this.host.send(frame);
    else if (this.#opts.disconnectedLimit > 0) this.out.shed(this.#opts.disconnectedLimit);
    this.flow();
  }

  /** Pauses or resumes reading the process's output according to the window. */
  flow(): void {
    const stop = this.host.connected || this.#opts.disconnectedLimit === 0 ? this.out.full : false;
    if (stop === this.#paused || this.#exit) return;
    this.#paused = stop;
    this.setReading(stop);
  }

  ack(seq: number): void {
    this.out.ack(seq);
    this.flow();
  }

  /** True when the stdin frame is new (a resume sends frames again); the session then acknowledges it. */
  protected acceptStdin(frame: DataFrame): boolean {
    return this.#in.accept(frame);
  }

  exitAcked(): void {
    this.#exitAcked = true;
  }

  report(): SessionReport {
    return { s: this.s, firstSeq: this.out.firstSeq, lastSeq: this.out.lastSeq, inSeq: this.#in.lastSeq, ...(this.#exit && { exit: this.#exit }) };
  }

  /** After a reconnect: forget what the daemon has, send the rest, then the exit if still unacknowledged. */
  resume(acked: number): void {
    this.out.ack(acked);
    for (const frame of this.out.unacked()) this.host.send(frame);
    if (this.#exit && !this.#exitAcked) this.#sendExit();
    this.flow();
  }

  /** The process ended (or never ran: `error` says why); the first call wins. */
  protected finish(status: ExitStatus, error?: string): void {
    if (this.#exit) return;
    this.#exit = status;
    this.#error = error;
    if (this.host.connected) this.#sendExit();
    this.#opts.onEnd?.(status);
  }

  #sendExit(): void {
    this.host.control({ t: 'exit', s: this.s, status: this.#exit!, ...(this.#error !== undefined && { error: this.#error }) });
  }
}
