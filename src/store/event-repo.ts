import type { Database, Statement } from 'better-sqlite3';

/** The Docker event history: appended in order, trimmed to the newest `limit`. */
export class EventRepo {
  readonly #append: Statement;
  readonly #trim: Statement;
  readonly #recent: Statement;
  #sinceTrim = 0;

  constructor(
    db: Database,
    readonly limit: number,
  ) {
    this.#append = db.prepare('INSERT INTO events (body) VALUES (?)');
    this.#trim = db.prepare('DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?');
    this.#recent = db.prepare('SELECT body FROM (SELECT seq, body FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq');
  }

  append(event: object): void {
    this.#append.run(JSON.stringify(event));
    // Trimmed in steps, so an append costs one insert (the table holds at most 10% over the limit).
    if (++this.#sinceTrim >= Math.max(1, Math.floor(this.limit / 10))) {
      this.#sinceTrim = 0;
      this.#trim.run(this.limit);
    }
  }

  /** The newest `limit` events, oldest first. */
  recent<T>(): T[] {
    return (this.#recent.all(this.limit) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as T);
  }
}
