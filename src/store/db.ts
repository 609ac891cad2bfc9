import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError } from './errors';
import { migrate } from './migrations';

/**
 * `normal`: a commit is in the WAL before the call returns, so a killed daemon (kill -9, a
 * crash) loses nothing; a power cut may lose the last commits (reconciliation then repairs what
 * the cloud shows). `full`: every commit is also fsynced.
 */
export type Durability = 'normal' | 'full';

type SqliteFailure = Error & { code?: string };

/**
 * Opens (creating when absent) the daemon's SQLite file: WAL, held exclusively by this process
 * (a second daemon on the same data root is refused), checked, and migrated to this build's
 * schema. A damaged file is reported, never replaced.
 */
export function openDatabase(path: string, durability: Durability = 'normal'): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 2_000 });
    // Container env is in it (as in dockerd's config.v2.json): readable by the daemon's user only.
    // SQLite gives the WAL file the database file's mode.
    chmodSync(path, 0o600);
    // Before the first read: in exclusive mode WAL needs no shared-memory file, and the lock is
    // held from the first write until close.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // Checkpoints (which fsync the database even in normal mode) every ~40 MB of WAL, not every 4 MB.
    db.pragma('wal_autocheckpoint = 10000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw damaged(path, String(check));
    migrate(db, path);
    // Takes the write lock now, so a second daemon fails here rather than at its first change.
    db.prepare("INSERT INTO meta (key, value) VALUES ('opened', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(new Date().toISOString());
    return db;
  } catch (err) {
    db?.close();
    throw classify(err, path);
  }
}

function damaged(path: string, detail: string): StoreError {
  return new StoreError(
    'damaged',
    path,
    `the store ${path} is damaged (${detail}); the daemon will not start over it. Move it aside (the daemon then starts empty and ` +
      'reconciliation removes the jobs it no longer knows) or restore a backup',
  );
}

function classify(err: unknown, path: string): Error {
  if (err instanceof StoreError) return err;
  const failure = err as SqliteFailure;
  const code = failure.code ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return damaged(path, failure.message);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('in-use', path, `the store ${path} is in use by another process (another daemon on the same --data-root?)`);
  }
  if (code.startsWith('SQLITE_')) return new StoreError('unreadable', path, `the store ${path} cannot be opened: ${failure.message} (${code})`);
  return err instanceof Error ? err : new Error(String(err));
}
