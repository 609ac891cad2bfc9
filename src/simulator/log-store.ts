export type LogStream = 'stdout' | 'stderr';

/** One row of `ContainerAppConsoleLogs_CL`; TimeGenerated is epoch milliseconds. */
export interface ConsoleLogRow {
  TimeGenerated: number;
  ContainerJobName_s: string;
  ContainerGroupName_s: string;
  ContainerName_s: string;
  Stream_s: LogStream;
  Log_s: string;
  EnvironmentName_s: string;
}

export const CONSOLE_LOGS_TABLE = 'ContainerAppConsoleLogs_CL';

interface StoredRow {
  row: ConsoleLogRow;
  /** When Log Analytics "ingests" it, i.e. when queries start returning it. */
  visibleAt: number;
}

/**
 * The console log table. Rows become queryable `ingestionDelayMs` after they are written;
 * `onQueryable(count)` is called each time some rows cross that line.
 */
export class LogStore {
  #rows: StoredRow[] = [];
  #lastTime = 0;
  #announced = 0;
  #timer: NodeJS.Timeout | undefined;
  #ingestionDelayMs: number;
  #onQueryable: (count: number) => void;

  constructor(ingestionDelayMs: number, onQueryable: (count: number) => void) {
    this.#ingestionDelayMs = ingestionDelayMs;
    this.#onQueryable = onQueryable;
  }

  append(row: Omit<ConsoleLogRow, 'TimeGenerated'>): void {
    const now = Date.now();
    // TimeGenerated never goes backwards, so "order by TimeGenerated" keeps the write order.
    this.#lastTime = Math.max(this.#lastTime, now);
    this.#rows.push({ row: { TimeGenerated: this.#lastTime, ...row }, visibleAt: now + this.#ingestionDelayMs });
    if (this.#ingestionDelayMs === 0) this.#announce();
    else this.#schedule();
  }

  /** Rows a query may see now, in write order. */
  queryable(now: number = Date.now()): ConsoleLogRow[] {
    return this.#rows.filter((r) => r.visibleAt <= now).map((r) => r.row);
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #announce(): void {
    const now = Date.now();
    let visible = this.#announced;
    while (visible < this.#rows.length && this.#rows[visible]!.visibleAt <= now) visible++;
    const fresh = visible - this.#announced;
    this.#announced = visible;
    if (fresh > 0) this.#onQueryable(fresh);
  }

  #schedule(): void {
    if (this.#timer) return;
    const next = this.#rows[this.#announced];
    if (!next) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#announce();
      this.#schedule();
    }, Math.max(0, next.visibleAt - Date.now()));
  }
}
