import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, Store, STORE_FILE, StoreError } from '../../src/store';
import { MIGRATIONS } from '../../src/store/migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockerless-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const failureOf = (fn: () => unknown): StoreError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError');
};

const row = (id: string) => ({
  id, name: `/c-${id}`, image: 'alpine', created: '2026-01-01T00:00:00.000Z', labels: '{"a":"b"}', input: '{}', state: '"created"', snapshot: '{"value":"created"}',
});

describe('store', () => {
  it('starts empty on a fresh data root and keeps what was written across a reopen', () => {
    const store = Store.open(dir);
    expect(store.containers.all()).toEqual([]);
    expect(store.objects.load('image')).toEqual([]);
    expect(store.events.recent()).toEqual([]);
    const id = store.meta.getOrCreate('instance-id', () => 'abc');
    store.transaction(() => {
      store.containers.save(row('1'));
      store.objects.put('volume', 'v', { Name: 'v' });
      store.events.append({ Action: 'create' });
      store.tokens.put('1', Buffer.alloc(32, 7));
    });
    store.close();

    const again = Store.open(dir);
    expect(again.meta.getOrCreate('instance-id', () => 'other')).toBe(id);
    expect(again.containers.all()).toEqual([row('1')]);
    expect(again.objects.load('volume')).toEqual([{ key: 'v', value: { Name: 'v' } }]);
    expect(again.events.recent()).toEqual([{ Action: 'create' }]);
    expect(again.tokens.all().get('1')).toEqual(Buffer.alloc(32, 7));
    again.close();
  });

  it('is readable by the daemon\'s user only', () => {
    Store.open(dir).close();
    expect(statSync(join(dir, STORE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('keeps a snapshot update, a rename and a removal', () => {
    const store = Store.open(dir);
    store.containers.save(row('1'));
    store.containers.save(row('2'));
    expect(store.containers.saveSnapshot('1', '/renamed', '"exited"', '{"value":"exited"}')).toBe(true);
    expect(store.containers.saveSnapshot('missing', '/x', '"exited"', '{}')).toBe(false);
    store.containers.remove('2');
    expect(store.containers.all()).toEqual([{ ...row('1'), name: '/renamed', state: '"exited"', snapshot: '{"value":"exited"}' }]);
    store.close();
  });

  it('syncs an object kind to exactly the records given, writing only changes', () => {
    const store = Store.open(dir);
    store.objects.sync('network', new Map([['a', { n: 1 }], ['b', { n: 2 }]]));
    store.objects.sync('network', new Map([['b', { n: 3 }], ['c', { n: 4 }]]));
    expect(store.objects.load('network')).toEqual([
      { key: 'b', value: { n: 3 } },
      { key: 'c', value: { n: 4 } },
    ]);
    store.close();
  });

  it('keeps a bounded event history, newest last', () => {
    const store = Store.open(dir, { eventLimit: 20 });
    for (let i = 0; i < 100; i++) store.events.append({ i });
    const kept = store.events.recent<{ i: number }>();
    expect(kept.map((e) => e.i)).toEqual(Array.from({ length: 20 }, (_, k) => 80 + k));
    store.close();
  });

  it('reports a file that is not a database and leaves it as it was', () => {
    const file = join(dir, STORE_FILE);
    writeFileSync(file, 'this is not a SQLite database, whatever else it is'.repeat(200));
    const before = readFileSync(file);
    const err = failureOf(() => Store.open(dir));
    expect(err.failure).toBe('damaged');
    expect(err.message).toMatch(/is damaged .*will not start over it/);
    expect(readFileSync(file)).toEqual(before);
  });

  it('reports a database whose pages are damaged', () => {
    const store = Store.open(dir);
    store.transaction(() => {
      for (let i = 0; i < 300; i++) store.containers.save({ ...row(String(i)), snapshot: 'x'.repeat(2000) });
    });
    store.close();
    const file = join(dir, STORE_FILE);
    const bytes = readFileSync(file);
    expect(statSync(file).size).toBeGreaterThan(64 * 1024);
    // Zero everything after the first two pages: the header says there is more than there is.
    bytes.fill(0x5a, 8192);
    writeFileSync(file, bytes);
    const err = failureOf(() => Store.open(dir));
    expect(err.failure).toBe('damaged');
  });

  it('migrates a version 1 store, keeping its containers and events', () => {
    const file = join(dir, STORE_FILE);
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare('INSERT INTO containers (id, name, image, created, labels, input, state, snapshot, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run('1', '/c-1', 'alpine', '2026-01-01T00:00:00.000Z', '{"a":"b"}', '{}', '"created"', '{"value":"created"}', 0);
    v1.prepare('INSERT INTO events (body) VALUES (?)').run('{"Action":"create"}');
    v1.close();
    const store = Store.open(dir);
    expect(store.containers.all()).toEqual([row('1')]);
    expect(store.events.recent()).toEqual([{ Action: 'create' }]);
    store.close();
  });

  it('migrates a version 2 store: each network endpoint moves to its own row, in order', () => {
    const file = join(dir, STORE_FILE);
    const v2 = new Database(file);
    v2.exec(MIGRATIONS[0]!);
    v2.exec(MIGRATIONS[1]!);
    v2.pragma('user_version = 2');
    const e = (id: string, ip: string) => ({ ContainerID: id, Name: id, EndpointID: `e${id}`, MacAddress: '', IPAddress: ip, Aliases: [] });
    const put = v2.prepare('INSERT INTO objects (kind, key, body) VALUES (?, ?, ?)');
    put.run('network', 'n1', JSON.stringify({ Id: 'n1', Name: 'bridge', Endpoints: { c2: e('c2', '172.17.0.3'), c1: e('c1', '172.17.0.2') } }));
    put.run('network', 'n2', JSON.stringify({ Id: 'n2', Name: 'host', Endpoints: {} }));
    v2.close();
    const store = Store.open(dir);
    expect(store.objects.load('network')).toEqual([
      { key: 'n1', value: { Id: 'n1', Name: 'bridge', Endpoints: {} } },
      { key: 'n2', value: { Id: 'n2', Name: 'host', Endpoints: {} } },
    ]);
    expect(store.objects.load('endpoint')).toEqual([
      { key: 'n1/c2', value: e('c2', '172.17.0.3') },
      { key: 'n1/c1', value: e('c1', '172.17.0.2') },
    ]);
    store.close();
  });

  it('refuses a store written by a newer schema, without touching it', () => {
    Store.open(dir).close();
    const file = join(dir, STORE_FILE);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(file);
    const err = failureOf(() => Store.open(dir));
    expect(err.failure).toBe('newer-schema');
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(readFileSync(file)).toEqual(before);
  });

  it('refuses a second opener of the same data root', () => {
    const first = Store.open(dir);
    const err = failureOf(() => Store.open(dir));
    expect(err.failure).toBe('in-use');
    first.close();
    Store.open(dir).close();
  });
});
