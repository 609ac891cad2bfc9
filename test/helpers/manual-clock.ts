// A chart clock the test moves: timers fire only when it says (the earliest due first), and
// `now` advances to each timer's due time as it fires. `runFreely` hands the pending and later
// timers to the real clock (a test's cleanup must not wait on a timer nobody fires).
import type { ChartClock } from '../../src/daemon/chart-clock';

interface Timer {
  due: number;
  fn: () => void;
  real?: NodeJS.Timeout;
}

export class ManualClock implements ChartClock {
  #now: number;
  #next = 1;
  #free = false;
  readonly #timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const id = this.#next++;
    const timer: Timer = { due: this.#now + ms, fn };
    this.#timers.set(id, timer);
    if (this.#free) this.#arm(id, timer);
    return id;
  }

  clearTimeout(id: unknown): void {
    const timer = this.#timers.get(id as number);
    clearTimeout(timer?.real);
    this.#timers.delete(id as number);
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Fires the earliest-due pending timer (moving `now` to its due time); false when none is pending. */
  fireNext(): boolean {
    let first: [number, Timer] | undefined;
    for (const entry of this.#timers) if (!first || entry[1].due < first[1].due) first = entry;
    if (!first) return false;
    const [id, timer] = first;
    this.clearTimeout(id);
    this.#now = Math.max(this.#now, timer.due);
    timer.fn();
    return true;
  }

  /** Moves `now` on without firing anything. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** From now on timers run on real time (as much of each as is left); `hold` makes them the test's again. */
  runFreely(): void {
    this.#free = true;
    for (const [id, timer] of this.#timers) this.#arm(id, timer);
  }

  hold(): void {
    this.#free = false;
    for (const timer of this.#timers.values()) clearTimeout(timer.real);
  }

  #arm(id: number, timer: Timer): void {
    clearTimeout(timer.real);
    timer.real = setTimeout(() => {
      this.#timers.delete(id);
      this.#now = Math.max(this.#now, timer.due);
      timer.fn();
    }, Math.max(0, timer.due - this.#now));
  }
}
