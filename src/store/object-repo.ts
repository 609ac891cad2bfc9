import type { Database, Statement } from 'better-sqlite3';

/** What the objects table holds, one key space each (an endpoint's key is `networkId/containerId`). */
export type ObjectKind = 'image' | 'network' | 'endpoint' | 'volume' | 'holding' | 'exec' | 'shared-job';

/** Kinds whose stores report their whole (small) record set on every change: what was written is kept in memory. */
const SYNCED: ReadonlySet<ObjectKind> = new Set(['image', 'network', 'volume', 'shared-job']);

/**
 * Docker objects kept as JSON by kind and key. `sync` takes a store's whole record set and
 * writes only what changed since the last call, so a store that reports everything on every
 * change costs a comparison, not a rewrite. Kinds written one record at a time (one or more per
 * container) are not kept in memory.
 */
export class ObjectRepo {
  readonly #put: Statement;
  readonly #remove: Statement;
  readonly #load: Statement;
  readonly #written = new Map<ObjectKind, Map<string, string>>();

  constructor(db: Database) {
    this.#put = db.prepare('INSERT INTO objects (kind, key, body) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body');
    this.#remove = db.prepare('DELETE FROM objects WHERE kind = ? AND key = ?');
    this.#load = db.prepare('SELECT key, body FROM objects WHERE kind = ? ORDER BY rowid');
  }

  /** Every record of a kind, parsed, in the order first written. */
  load<T>(kind: ObjectKind): Array<{ key: string; value: T }> {
    const rows = this.#load.all(kind) as Array<{ key: string; body: string }>;
    if (SYNCED.has(kind)) this.#written.set(kind, new Map(rows.map((r) => [r.key, r.body])));
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.body) as T }));
  }

  /** Makes the kind hold exactly these records. */
  sync(kind: ObjectKind, records: ReadonlyMap<string, unknown>): void {
    const written = this.#kind(kind) ?? new Map((this.#load.all(kind) as Array<{ key: string; body: string }>).map((r) => [r.key, r.body]));
    for (const [key, value] of records) {
      const body = JSON.stringify(value);
      if (written.get(key) === body) continue;
      this.#put.run(kind, key, body);
      written.set(key, body);
    }
    for (const key of [...written.keys()]) {
      if (records.has(key)) continue;
      this.#remove.run(kind, key);
      written.delete(key);
    }
  }

  put(kind: ObjectKind, key: string, value: unknown): void {
    const body = JSON.stringify(value);
    this.#put.run(kind, key, body);
    this.#kind(kind)?.set(key, body);
  }

  remove(kind: ObjectKind, key: string): void {
    this.#remove.run(kind, key);
    this.#kind(kind)?.delete(key);
  }

  #kind(kind: ObjectKind): Map<string, string> | undefined {
    if (!SYNCED.has(kind)) return undefined;
    let written = this.#written.get(kind);
    if (!written) this.#written.set(kind, (written = new Map()));
    return written;
  }
}
