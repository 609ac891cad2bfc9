import type { Database, Statement } from 'better-sqlite3';

/** One container as stored: JSON columns are kept as text, parsed by whoever restores them. */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  created: string;
  /** JSON object of the container's labels. */
  labels: string;
  /** JSON of the create input (config, host config, name, image id). */
  input: string;
  /** JSON of the actor's state value, for queries and for reading the file by hand. */
  state: string;
  /** JSON of the actor's `getPersistedSnapshot()`. */
  snapshot: string;
}

/** Containers (create input, written when it changes) and their actors' snapshots (every transition). */
export class ContainerRepo {
  readonly #upsert: Statement;
  readonly #upsertSnapshot: Statement;
  readonly #rename: Statement;
  readonly #update: Statement;
  readonly #remove: Statement;
  readonly #removeSnapshot: Statement;
  readonly #all: Statement;

  constructor(db: Database) {
    this.#upsert = db.prepare(
      `INSERT INTO containers (id, name, image, created, labels, input) VALUES (@id, @name, @image, @created, @labels, @input)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, image = excluded.image, labels = excluded.labels, input = excluded.input`,
    );
    this.#upsertSnapshot = db.prepare(
      `INSERT INTO snapshots (id, state, snapshot, updated) VALUES (@id, @state, @snapshot, @updated)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, snapshot = excluded.snapshot, updated = excluded.updated`,
    );
    this.#rename = db.prepare('UPDATE containers SET name = ? WHERE id = ? AND name != ?');
    this.#update = db.prepare('UPDATE snapshots SET state = ?, snapshot = ?, updated = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM containers WHERE id = ?');
    this.#removeSnapshot = db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.#all = db.prepare(
      `SELECT c.id, c.name, c.image, c.created, c.labels, c.input, s.state, s.snapshot
       FROM containers c JOIN snapshots s ON s.id = c.id ORDER BY c.created, c.id`,
    );
  }

  /** The whole row (a new container, or one whose create input changed). */
  save(row: ContainerRow): void {
    const { state, snapshot, ...container } = row;
    this.#upsert.run(container);
    this.#upsertSnapshot.run({ id: row.id, state, snapshot, updated: Date.now() });
  }

  /** A transition: the state and snapshot (and the name, which a rename changes). */
  saveSnapshot(id: string, name: string, state: string, snapshot: string): boolean {
    if (this.#update.run(state, snapshot, Date.now(), id).changes === 0) return false;
    this.#rename.run(name, id, name);
    return true;
  }

  remove(id: string): void {
    this.#remove.run(id);
    this.#removeSnapshot.run(id);
  }

  all(): ContainerRow[] {
    return this.#all.all() as ContainerRow[];
  }
}
