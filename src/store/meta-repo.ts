import type { Database, Statement } from 'better-sqlite3';

/** Small named values: the daemon's instance id, when the store was last opened. */
export class MetaRepo {
  readonly #get: Statement;
  readonly #set: Statement;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.#set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return (this.#get.get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }

  /** The value under `key`, made by `create` and stored the first time it is asked for. */
  getOrCreate(key: string, create: () => string): string {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    const value = create();
    this.set(key, value);
    return value;
  }
}
