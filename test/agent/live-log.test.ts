import { describe, expect, it } from 'vitest';
import { LiveLog } from '../../src/daemon/logs/live-log';

const lines = (log: LiveLog) => log.linesAfter(0).map((l) => `${l.stream}:${l.line}`);

describe('live log', () => {
  it('splits chunks into lines per stream, holding a partial line until it ends', () => {
    const log = new LiveLog(1 << 20, 0);
    log.feed('stdout', Buffer.from('a\nb'), 1);
    log.feed('stderr', Buffer.from('e\n'), 2);
    log.feed('stdout', Buffer.from('c\n'), 3);
    expect(lines(log)).toEqual(['stdout:a', 'stderr:e', 'stdout:bc']);
    log.feed('stdout', Buffer.from('tail'), 4);
    log.flush();
    expect(lines(log).at(-1)).toBe('stdout:tail');
  });

  it('a gap moves the seam: what is older comes from Log Analytics, and is dropped here', () => {
    const log = new LiveLog(1 << 20, 0);
    log.feed('stdout', Buffer.from('old\n'), 100);
    log.feed('stdout', Buffer.from('new\n'), 300);
    log.gap(200);
    expect(log.completeSince).toBe(201);
    expect(lines(log)).toEqual(['stdout:new']);
  });

  it('the byte budget evicts the oldest lines and moves the seam past them', () => {
    const log = new LiveLog(2000, 0);
    for (let i = 0; i < 100; i++) log.feed('stdout', Buffer.from(`line ${i}\n`), 1000 + i);
    const kept = log.linesAfter(0);
    expect(kept.length).toBeLessThan(100);
    expect(kept.at(-1)!.line).toBe('line 99');
    expect(log.completeSince).toBeGreaterThan(1000);
    expect(kept[0]!.ms).toBeGreaterThanOrEqual(log.completeSince);
  });

  it('an abandoned log (no agent) sends every reader to Log Analytics', () => {
    const log = new LiveLog(1 << 20, 0);
    log.feed('stdout', Buffer.from('x\n'), 1);
    log.abandon();
    expect(log.completeSince).toBe(Infinity);
    expect(lines(log)).toEqual([]);
  });
});
