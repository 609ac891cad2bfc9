import type { LogRow, Stream } from '../../aca/cloud';

/** A line of the live log: a Log Analytics row's shape, numbered. */
export interface LiveLine extends LogRow {
  seq: number;
  /** ms since the epoch, for comparisons (`time` is its ISO form). */
  ms: number;
}

/** A line without its newline is held until it ends, or until it reaches this size (as Docker's log copier). */
const MAX_PARTIAL = 16 * 1024;

/**
 * The recent output of a container's main process, as the agent delivered it, kept as lines
 * within a byte budget. `completeSince` is the seam with Log Analytics: this log holds every
 * line written at or after it, so older lines come from Log Analytics and newer ones from here,
 * and no line is served twice or missed (up to the agent's and Log Analytics' clocks agreeing).
 * Dropping lines (budget, an agent that shed output, an execution no agent reported) moves it.
 */
export class LiveLog {
  #lines: LiveLine[] = [];
  #bytes = 0;
  #seq = 0;
  #completeSince: number;
  readonly #limit: number;
  readonly #partial: Record<Stream, { parts: Buffer[]; size: number; ms: number }> = {
    stdout: { parts: [], size: 0, ms: 0 },
    stderr: { parts: [], size: 0, ms: 0 },
  };
  readonly #listeners = new Set<() => void>();

  constructor(limitBytes: number, since: number) {
    this.#limit = limitBytes;
    this.#completeSince = since;
  }

  get completeSince(): number {
    return this.#completeSince;
  }

  /** A chunk of output, read by the agent at `ms`. */
  feed(stream: Stream, data: Buffer, ms: number): void {
    const partial = this.#partial[stream];
    let start = 0;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      partial.parts.push(data.subarray(start, nl));
      this.#takePartial(stream, ms);
      start = nl + 1;
    }
    if (start < data.length) {
      if (partial.size === 0) partial.ms = ms;
      partial.parts.push(data.subarray(start));
      partial.size += data.length - start;
      if (partial.size >= MAX_PARTIAL) this.#takePartial(stream, ms);
    }
    this.#notify();
  }

  /** The process ended: a last line without a newline is a line. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) if (this.#partial[stream].size) this.#takePartial(stream, this.#partial[stream].ms);
    this.#notify();
  }

  /** Lines written before `ms` may be missing here: from now on they come from Log Analytics. */
  gap(ms: number): void {
    if (ms < this.#completeSince) return;
    this.#completeSince = ms + 1;
    this.#evictBefore(this.#completeSince);
    this.#notify();
  }

  /** The container's starts run without an agent: Log Analytics is the only source. */
  abandon(): void {
    this.#completeSince = Infinity;
    this.#lines = [];
    this.#bytes = 0;
    this.#notify();
  }

  /** Lines after `afterSeq`, at or after the seam, oldest first. */
  linesAfter(afterSeq: number): LiveLine[] {
    let i = this.#lines.length;
    while (i > 0 && this.#lines[i - 1]!.seq > afterSeq) i--;
    return this.#lines.slice(i);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #takePartial(stream: Stream, ms: number): void {
    const partial = this.#partial[stream];
    const line = Buffer.concat(partial.parts).toString('utf8');
    const when = partial.size ? partial.ms : ms;
    partial.parts = [];
    partial.size = 0;
    // Lines keep the order the agent read them in, even when its clock steps back.
    const last = this.#lines.at(-1)?.ms ?? 0;
    const at = Math.max(when, last, this.#completeSince);
    this.#lines.push({ seq: ++this.#seq, ms: at, time: new Date(at).toISOString(), stream, line });
    this.#bytes += line.length + 64;
    if (this.#bytes > this.#limit) this.#evictBefore(this.#lines[Math.floor(this.#lines.length / 4)]!.ms + 1, true);
  }

  /** Drops lines older than `ms`; `moveSeam` when they were dropped for the budget. */
  #evictBefore(ms: number, moveSeam = false): void {
    let n = 0;
    while (n < this.#lines.length && this.#lines[n]!.ms < ms) this.#bytes -= this.#lines[n++]!.line.length + 64;
    if (n) this.#lines = this.#lines.slice(n);
    if (moveSeam) this.#completeSince = Math.max(this.#completeSince, ms);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
