import type { Database } from 'better-sqlite3';
import { StoreError } from './errors';

/**
 * The schema, one step per version; `PRAGMA user_version` records the last step applied. Steps
 * are only ever appended: a released step is never edited, a later one alters what it made.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: containers with their actor snapshots, Docker objects, events, agent token digests.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    image TEXT NOT NULL,
    created TEXT NOT NULL,
    labels TEXT NOT NULL,
    -- the create input (config, host config, name, image id): enough to show a container whose snapshot cannot be restored
    input TEXT NOT NULL,
    state TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    updated INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE objects (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
  );
  CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
  CREATE TABLE agent_tokens (container_id TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID;
  `,
  // 2: fewer pages per transition: the snapshot (rewritten at every transition) apart from the
  // create input (written once), rows in rowid tables (large rows do not suit WITHOUT ROWID), and
  // events without AUTOINCREMENT (which updates sqlite_sequence at every insert).
  `
  ALTER TABLE containers RENAME TO containers_v1;
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    image TEXT NOT NULL,
    created TEXT NOT NULL,
    labels TEXT NOT NULL,
    input TEXT NOT NULL
  );
  CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    updated INTEGER NOT NULL
  );
  INSERT INTO containers (id, name, image, created, labels, input) SELECT id, name, image, created, labels, input FROM containers_v1;
  INSERT INTO snapshots (id, state, snapshot, updated) SELECT id, state, snapshot, updated FROM containers_v1;
  DROP TABLE containers_v1;
  CREATE TABLE events_v2 (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
  INSERT INTO events_v2 (seq, body) SELECT seq, body FROM events;
  DROP TABLE events;
  ALTER TABLE events_v2 RENAME TO events;
  DELETE FROM sqlite_sequence WHERE name = 'events';
  `,
  // 3: a network's endpoints each in their own row (kind 'endpoint', key 'networkId/containerId'),
  // so connecting a container writes one small row, not the network with every endpoint in it.
  `
  INSERT INTO objects (kind, key, body)
    SELECT 'endpoint', n.key || '/' || e.key, e.value FROM objects n, json_each(n.body, '$.Endpoints') e WHERE n.kind = 'network';
  UPDATE objects SET body = json_set(body, '$.Endpoints', json('{}')) WHERE kind = 'network';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema up to this build's version; a store from a newer build is refused untouched. */
export function migrate(db: Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      path,
      `the store ${path} has schema version ${current}, written by a newer Sockerless ACA; this build knows versions up to ${SCHEMA_VERSION}. ` +
        'Run the newer build, or move the file aside to start empty',
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
