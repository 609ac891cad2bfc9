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

/** Containers and their actors' persisted snapshots. */
export class ContainerRepo {
  readonly #upsert: Statement;
  readonly #update: Statement;
  readonly #remove: Statement;
  readonly #all: Statement;

  constructor(db: Database) {
    this.#upsert = db.prepare(
      `INSERT INTO containers (id, name, image, created, labels, input, state, snapshot, updated)
       VALUES (@id, @name, @image, @created, @labels, @input, @state, @snapshot, @updated)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, image = excluded.image, labels = excluded.labels,
         input = excluded.input, state = excluded.state, snapshot = excluded.snapshot, updated = excluded.updated`,
    );
    this.#update = db.prepare('UPDATE containers SET name = ?, state = ?, snapshot = ?, updated = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM containers WHERE id = ?');
    this.#all = db.prepare('SELECT id, name, image, created, labels, input, state, snapshot FROM containers ORDER BY created, id');
  }

  /** The whole row (a new container, or one whose create input changed). */
  save(row: ContainerRow): void {
    this.#upsert.run({ ...row, updated: Date.now() });
  }

  /** A transition: the state and snapshot (and the name, which a rename changes). */
  saveSnapshot(id: string, name: string, state: string, snapshot: string): boolean {
    return this.#update.run(name, state, snapshot, Date.now(), id).changes > 0;
  }

  remove(id: string): void {
    this.#remove.run(id);
  }

  all(): ContainerRow[] {
    return this.#all.all() as ContainerRow[];
  }
}
