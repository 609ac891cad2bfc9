import { performance } from 'node:perf_hooks';

import { consoleLogSchema } from './console-log-tables';
import type { ConsoleLogSchema, EmittedLine, StoredLine } from './console-log-tables';
import type { Table } from './kql';
import type { SimulatorSettings } from './options';
import type { Timing } from './profile/timing';

export type LogStream = 'stdout' | 'stderr';
export type { EmittedLine } from './console-log-tables';

interface Entry extends StoredLine {
  /** When Log Analytics "ingests" it, i.e. when queries start returning it. */
  visibleAt: number;
}

/** Lines of one container travelling together: one TimeGenerated, one ingestion delay. */
interface Batch {
  startedAt: number;
  timeGenerated: number;
  visibleAt: number;
}

/** Epoch milliseconds with sub-millisecond precision. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * The console log table as the environment's destination makes it (see console-log-tables.ts).
 *
 * instant profile: a row is queryable `ingestionDelayMs` after it is written, TimeGenerated
 * never goes backwards, and the table exists from the start.
 *
 * azure profile: lines of a container emitted within `logBatchMs` form a batch received
 * `receiptLagMs` after the batch closed (their shared TimeGenerated: ties), queryable after
 * its own `ingestionDelayMs` draw, so a later batch can become queryable before an earlier
 * one. The table does not exist (the query API's unknown-table error) until its first rows
 * are queryable, which costs a one-time `newTableDelayMs` more.
 *
 * `onQueryable(count)` is called each time some rows become queryable.
 */
export class LogStore {
  #entries: Entry[] = [];
  /** Entries not yet announced as queryable. */
  #waiting: Entry[] = [];
  #timerAt = Infinity;
  #lastTime = 0;
  #batches = new Map<string, Batch>();
  /** azure profile: when the table becomes queryable (set by its first batch). */
  #tableReadyAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #settings: SimulatorSettings;
  #timing: Timing;
  #schema: ConsoleLogSchema | undefined;
  #onQueryable: (count: number) => void;

  constructor(settings: SimulatorSettings, timing: Timing, onQueryable: (count: number) => void) {
    this.#settings = settings;
    this.#timing = timing;
    this.#schema = consoleLogSchema(settings);
    this.#onQueryable = onQueryable;
  }

  /** The table console logs land in; undefined when the destination is `none`. */
  get tableName(): string | undefined {
    return this.#schema?.table;
  }

  append(line: EmittedLine): void {
    if (!this.#schema) return;
    const emittedAt = preciseNow();
    const now = Math.floor(emittedAt);
    let entry: Entry;
    if (this.#timing.azure) {
      const batch = this.#batch(line, emittedAt);
      entry = { line, emittedAt, timeGenerated: batch.timeGenerated, visibleAt: batch.visibleAt };
    } else {
      this.#lastTime = Math.max(this.#lastTime, now);
      entry = { line, emittedAt, timeGenerated: this.#lastTime, visibleAt: now + this.#settings.ingestionDelayMs };
    }
    this.#entries.push(entry);
    this.#waiting.push(entry);
    if (this.#readyAt(entry) <= Date.now()) this.#announce();
    else this.#schedule();
  }

  #batch(line: EmittedLine, emittedAt: number): Batch {
    const key = `${line.ContainerGroupName_s}/${line.ContainerName_s}`;
    const windowMs = this.#timing.value('logBatchMs');
    let batch = this.#batches.get(key);
    if (!batch || emittedAt - batch.startedAt >= windowMs) {
      const timeGenerated = Math.round(emittedAt + windowMs + this.#timing.draw('receiptLagMs'));
      batch = { startedAt: emittedAt, timeGenerated, visibleAt: timeGenerated + this.#timing.draw('ingestionDelayMs') };
      this.#batches.set(key, batch);
      this.#tableReadyAt ??= batch.visibleAt + this.#timing.draw('newTableDelayMs');
    }
    return batch;
  }

  #readyAt(entry: Entry): number {
    return Math.max(entry.visibleAt, this.#tableReadyAt ?? 0);
  }

  /**
   * The table a query sees now under `name`, or undefined when no such table exists: another
   * destination's table, or (azure profile) one that has no queryable row yet.
   */
  table(name: string, now: number = Date.now()): Table | undefined {
    const schema = this.#schema;
    if (!schema || name !== schema.table) return undefined;
    const visible = this.#entries.filter((e) => this.#readyAt(e) <= now);
    if (this.#timing.azure && visible.length === 0) return undefined;
    return { columns: schema.columns, rows: visible.map((e) => schema.row(e)) };
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #announce(): void {
    const now = Date.now();
    const before = this.#waiting.length;
    this.#waiting = this.#waiting.filter((e) => this.#readyAt(e) > now);
    const fresh = before - this.#waiting.length;
    if (fresh > 0) this.#onQueryable(fresh);
  }

  /** Wakes at the next entry's time (sooner than a timer already set, if need be). */
  #schedule(): void {
    if (this.#waiting.length === 0) return;
    const next = this.#waiting.reduce((min, e) => Math.min(min, this.#readyAt(e)), Infinity);
    if (this.#timer && next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#announce();
      this.#schedule();
    }, Math.max(0, next - Date.now()));
  }
}
