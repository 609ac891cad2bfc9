import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { ContainerRepo } from './container-repo';
import { openDatabase, type Durability } from './db';
import { EventRepo } from './event-repo';
import { MetaRepo } from './meta-repo';
import { ObjectRepo } from './object-repo';
import { TokenRepo } from './token-repo';

export const STORE_FILE = 'sockerless.db';

export interface StoreOptions {
  durability?: Durability;
  /** How many Docker events the history keeps (default 10,000). */
  eventLimit?: number;
}

/** The daemon's embedded SQLite store under its data root. */
export class Store {
  readonly containers: ContainerRepo;
  readonly objects: ObjectRepo;
  readonly events: EventRepo;
  readonly meta: MetaRepo;
  readonly tokens: TokenRepo;
  readonly #db: Database;
  /** One transaction wrapper for every call (better-sqlite3 builds five functions per `transaction()`). */
  readonly #inTransaction: (fn: () => unknown) => unknown;
  #closed = false;

  private constructor(
    db: Database,
    readonly path: string,
    opts: StoreOptions,
  ) {
    this.#db = db;
    this.#inTransaction = db.transaction((fn: () => unknown) => fn());
    this.containers = new ContainerRepo(db);
    this.objects = new ObjectRepo(db);
    this.events = new EventRepo(db, opts.eventLimit ?? 10_000);
    this.meta = new MetaRepo(db);
    this.tokens = new TokenRepo(db);
  }

  /** Opens `<dataRoot>/sockerless.db`; throws a StoreError when it is damaged, newer, or in use. */
  static open(dataRoot: string, opts: StoreOptions = {}): Store {
    const path = join(dataRoot, STORE_FILE);
    return new Store(openDatabase(path, opts.durability), path, opts);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` in one transaction (a savepoint when one is already open). */
  transaction<T>(fn: () => T): T {
    return this.#inTransaction(fn) as T;
  }

  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  /** Folds the WAL into the file and releases it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }
}
