import { WINDOW_BYTES, type DataFrame, type DataStream } from './protocol';

/**
 * The sending half of one session direction: numbered chunks kept until the receiver
 * acknowledges them, so a dropped connection loses nothing (they are sent again on resume)
 * and the sender knows when to stop reading its source (the window is full).
 */
export class Outbox {
  readonly #session: number;
  readonly #window: number;
  #frames: DataFrame[] = [];
  #bytes = 0;
  #lastSeq = 0;
  #droppedUntil: number | undefined;

  constructor(session: number, window = WINDOW_BYTES) {
    this.#session = session;
    this.#window = window;
  }

  /** Numbers a chunk and keeps it until acknowledged; returns the frame to send. */
  push(stream: DataStream, data: Buffer, time = Date.now()): DataFrame {
    const frame: DataFrame = { session: this.#session, stream, seq: ++this.#lastSeq, time, data };
    this.#frames.push(frame);
    this.#bytes += data.length;
    return frame;
  }

  /** Forgets every chunk up to `seq`. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.#frames.length && this.#frames[n]!.seq <= seq) this.#bytes -= this.#frames[n++]!.data.length;
    if (n) this.#frames = this.#frames.slice(n);
  }

  /** Drops the oldest chunks until at most `limit` bytes are held (they exist elsewhere, e.g. the console log). */
  shed(limit: number): void {
    while (this.#bytes > limit && this.#frames.length) {
      const f = this.#frames.shift()!;
      this.#bytes -= f.data.length;
      this.#droppedUntil = f.time;
    }
  }

  /** True once the unacknowledged bytes fill the window: stop reading the source. */
  get full(): boolean {
    return this.#bytes >= this.#window;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks not yet acknowledged, oldest first (what a resume sends again). */
  unacked(after = 0): readonly DataFrame[] {
    return this.#frames.filter((f) => f.seq > after);
  }

  get firstSeq(): number {
    return this.#frames[0]?.seq ?? 0;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The time of the newest chunk shed, if any was. */
  get droppedUntil(): number | undefined {
    return this.#droppedUntil;
  }
}

/** The receiving half: recognises chunks sent again after a resume. */
export class Inbox {
  #lastSeq = 0;

  constructor(lastSeq = 0) {
    this.#lastSeq = lastSeq;
  }

  /** True when the frame is new; false for a duplicate. Gaps are accepted (the sender shed them). */
  accept(frame: DataFrame): boolean {
    if (frame.seq <= this.#lastSeq) return false;
    this.#lastSeq = frame.seq;
    return true;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }
}
