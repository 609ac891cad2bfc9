import { describe, expect, it } from 'vitest';
import type { Cloud, LogQuery, LogRow } from '../../src/aca/cloud';
import { CloudError, PARTIAL_ERROR } from '../../src/aca/errors';
import { followLogs } from '../../src/daemon/follow-logs';

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
