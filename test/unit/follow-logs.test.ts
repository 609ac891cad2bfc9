import { describe, expect, it } from 'vitest';
import type { Cloud, LogQuery, LogRow } from '../../src/aca/cloud';
import { CloudError, PARTIAL_ERROR } from '../../src/aca/errors';
import { followLogs, MAX_SETTLE_MS, settleBound } from '../../src/daemon/logs/follow-logs';

/** A Log Analytics double: rows appear when the test appends them; queries honour since/tail. */
function fakeLogs() {
  const rows: LogRow[] = [];
  const listeners = new Set<() => void>();
  const queries: LogQuery[] = [];
  const cloud = {
    async queryLogs(q: LogQuery) {
      queries.push(q);
      const hits = rows.filter((r) => !q.since || Date.parse(r.time) >= q.since.getTime());
      return q.tail ? hits.slice(-q.tail) : hits;
    },
    onChange(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as Cloud;
  const append = (time: string, line: string) => {
    rows.push({ time, line, stream: 'stdout' });
    for (const l of [...listeners]) l();
  };
  return { cloud, append, queries, listeners };
}

const base = { jobName: 'job', pollIntervalMs: 60_000, settleMs: 0 };

describe('followLogs', () => {
  it('rides out a partial or throttled answer, and gives up on a fatal one', async () => {
    const f = fakeLogs();
    f.append('2026-01-01T00:00:00.000Z', 'a');
    const failures: unknown[] = [
      new CloudError('query logs of', 'job', 'partial answer', undefined, PARTIAL_ERROR),
      new CloudError('query logs of', 'job', 'Too Many Requests', 429),
    ];
    const flaky = { ...f.cloud, queryLogs: (q: LogQuery) => (failures.length ? Promise.reject(failures.shift()) : f.cloud.queryLogs(q)) } as Cloud;
    const got: string[] = [];
    for await (const r of followLogs(flaky, { ...base, pollIntervalMs: 5, follow: false, ended: () => true, subscribe: () => () => {} })) got.push(r.line);
    expect(got).toEqual(['a']);

    const broken = { ...f.cloud, queryLogs: () => Promise.reject(new CloudError('query logs of', 'job', 'Forbidden', 403)) } as Cloud;
    const read = async () => {
      for await (const _ of followLogs(broken, { ...base, follow: false, ended: () => true, subscribe: () => () => {} }));
    };
    await expect(read()).rejects.toThrow(/Forbidden/);
  });

  it('without follow returns what is there, honouring tail', async () => {
    const f = fakeLogs();
    f.append('2026-01-01T00:00:00.000Z', 'a');
    f.append('2026-01-01T00:00:01.000Z', 'b');
    f.append('2026-01-01T00:00:02.000Z', 'c');
    const got: string[] = [];
    for await (const r of followLogs(f.cloud, { ...base, tail: 2, follow: false, ended: () => true, subscribe: () => () => {} })) got.push(r.line);
    expect(got).toEqual(['b', 'c']);
  });

  it('follows new rows on a change hint, never repeating rows that share a timestamp, and stops at the end', async () => {
    const f = fakeLogs();
    let ended = false;
    f.append('2026-01-01T00:00:00.000Z', 'a');
    f.append('2026-01-01T00:00:00.000Z', 'b');
    const got: string[] = [];
    const done = (async () => {
      for await (const r of followLogs(f.cloud, {
        ...base,
        follow: true,
        ended: () => ended,
        subscribe: (wake) => f.cloud.onChange(wake),
      })) got.push(r.line);
    })();
    await new Promise((r) => setTimeout(r, 5));
    f.append('2026-01-01T00:00:00.000Z', 'c'); // same millisecond as a and b
    await new Promise((r) => setTimeout(r, 5));
    f.append('2026-01-01T00:00:01.000Z', 'd');
    ended = true;
    f.append('2026-01-01T00:00:01.000Z', 'e');
    await done;
    expect(got).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(f.listeners.size).toBe(0);
  });
});

/**
 * A workspace where rows are received (TimeGenerated) in one order and become queryable in
 * another, as Log Analytics ingests: `since` filters on when a row was received.
 */
function lateWorkspace() {
  const visible: LogRow[] = [];
  const listeners = new Set<() => void>();
  const lags: number[] = [];
  const cloud = {
    async queryLogs(q: LogQuery) {
      const hits = visible.filter((r) => !q.since || Date.parse(r.ingested ?? r.time) >= q.since.getTime());
      const sorted = [...hits].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      return q.tail ? sorted.slice(-q.tail) : sorted;
    },
    onChange(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    logLag: { observe: (ms: number) => lags.push(ms), estimate: () => (lags.length ? Math.max(...lags) : undefined) },
  } as unknown as Cloud;
  const ingest = (...rows: Array<[emitted: string, received: string, line: string]>) => {
    for (const [time, ingested, line] of rows) visible.push({ time, ingested, line, stream: 'stdout' });
    for (const l of [...listeners]) l();
  };
  return { cloud, ingest, lags };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('followLogs with late and out-of-order rows', () => {
  it('serves a row that arrives late, behind rows already served, once; and repeats none of those', async () => {
    const w = lateWorkspace();
    let ended = false;
    const got: string[] = [];
    const done = (async () => {
      for await (const r of followLogs(w.cloud, { ...base, follow: true, ended: () => ended, subscribe: (wake) => w.cloud.onChange(wake) })) got.push(r.line);
    })();
    await tick();
    w.ingest([at(1), at(2), 'a'], [at(3), at(4), 'c']);
    await tick();
    // b was emitted between a and c and received before c, but only now became queryable.
    w.ingest([at(2), at(3), 'b']);
    await tick();
    w.ingest([at(5), at(6), 'd']);
    await tick();
    ended = true;
    w.ingest([at(6), at(6), 'e']);
    await done;
    expect(got).toEqual(['a', 'c', 'b', 'd', 'e']);
  });

  it('keeps the same line printed twice at the same instant as two lines, across polls', async () => {
    const w = lateWorkspace();
    let ended = false;
    const got: string[] = [];
    const done = (async () => {
      for await (const r of followLogs(w.cloud, { ...base, follow: true, ended: () => ended, subscribe: (wake) => w.cloud.onChange(wake) })) got.push(r.line);
    })();
    await tick();
    w.ingest([at(1), at(1), 'same']);
    await tick();
    w.ingest([at(1), at(1), 'same']);
    await tick();
    ended = true;
    w.ingest([at(2), at(2), 'end']);
    await done;
    expect(got).toEqual(['same', 'same', 'end']);
  });

  it('after a tail, serves no older rows a later poll brings back', async () => {
    const w = lateWorkspace();
    w.ingest([at(1), at(1), 'a'], [at(2), at(2), 'b'], [at(3), at(3), 'c']);
    let ended = false;
    const got: string[] = [];
    const done = (async () => {
      for await (const r of followLogs(w.cloud, { ...base, tail: 1, follow: true, ended: () => ended, subscribe: (wake) => w.cloud.onChange(wake) })) got.push(r.line);
    })();
    await tick();
    ended = true;
    w.ingest([at(4), at(4), 'd']);
    await done;
    expect(got).toEqual(['c', 'd']);
  });

  it('reports how late each row arrived, so the workspace lag is known', async () => {
    const w = lateWorkspace();
    let ended = false;
    const done = (async () => {
      for await (const _ of followLogs(w.cloud, { ...base, follow: true, ended: () => ended, subscribe: (wake) => w.cloud.onChange(wake) }));
    })();
    await tick();
    const emitted = new Date(Date.now() - 30_000).toISOString();
    w.ingest([emitted, emitted, 'thirty seconds late']);
    await tick();
    ended = true;
    w.ingest([new Date().toISOString(), new Date().toISOString(), 'x']);
    await done;
    expect(w.lags[0]).toBeGreaterThanOrEqual(30_000);
    expect(w.lags[0]).toBeLessThan(40_000);
  });
});

describe('settleBound', () => {
  it('stops at once when told to, uses the configured guess until a lag was seen, then derives it from the lag', () => {
    expect(settleBound(5_000, 0, 2_000)).toBe(0);
    expect(settleBound(undefined, 180_000, 2_000)).toBe(180_000);
    expect(settleBound(40_000, 180_000, 2_000)).toBe(62_000);
    expect(settleBound(2 * 60 * 60_000, 180_000, 2_000)).toBe(MAX_SETTLE_MS);
  });
});
