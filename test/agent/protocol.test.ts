import { describe, expect, it } from 'vitest';
import { Inbox, Outbox } from '../../src/agent/outbox';
import {
  DATA_HEADER_BYTES, ProtocolError, WINDOW_BYTES, decodeAgentMessage, decodeData, decodeDaemonMessage, encodeData, encodeMessage,
} from '../../src/agent/protocol';

describe('agent protocol frames', () => {
  it('a data frame round-trips with its session, stream, seq and time, payload untouched (no base64)', () => {
    const data = Buffer.from([0, 1, 2, 255, 10]);
    const bytes = encodeData({ session: 7, stream: 'stderr', seq: 42, time: 1_700_000_000_123.5, data });
    expect(bytes.length).toBe(DATA_HEADER_BYTES + data.length);
    expect(bytes.subarray(DATA_HEADER_BYTES).equals(data)).toBe(true);
    expect(decodeData(bytes)).toEqual({ session: 7, stream: 'stderr', seq: 42, time: 1_700_000_000_123.5, data });
  });

  it('refuses short frames, unknown kinds and unknown streams', () => {
    expect(() => decodeData(Buffer.alloc(3))).toThrow(ProtocolError);
    const bad = encodeData({ session: 1, stream: 'stdout', seq: 1, time: 0, data: Buffer.alloc(0) });
    bad[0] = 9;
    expect(() => decodeData(bad)).toThrow(ProtocolError);
    bad[0] = 1;
    bad[1] = 200;
    expect(() => decodeData(bad)).toThrow(/unknown stream/);
  });

  it('control messages parse by direction; junk is a ProtocolError, never anything else', () => {
    expect(decodeAgentMessage(encodeMessage({ t: 'exit', s: 0, status: { code: 143, signal: 'SIGTERM' } }))).toEqual({
      t: 'exit', s: 0, status: { code: 143, signal: 'SIGTERM' },
    });
    expect(decodeDaemonMessage(encodeMessage({ t: 'signal', s: 0, signal: 'SIGHUP' }))).toMatchObject({ t: 'signal' });
    expect(() => decodeAgentMessage('{"t":"exec","s":1}')).toThrow(ProtocolError); // a daemon message
    expect(() => decodeDaemonMessage('not json')).toThrow(ProtocolError);
    expect(() => decodeDaemonMessage('[1]')).toThrow(ProtocolError);
    expect(() => decodeAgentMessage('{"t":"ack","s":-1,"seq":1}')).toThrow(/session/);
  });
});

describe('flow control', () => {
  it('the outbox fills its window, then frees it as acknowledgements arrive', () => {
    const out = new Outbox(3, 10);
    out.push('stdout', Buffer.alloc(6));
    expect(out.full).toBe(false);
    out.push('stdout', Buffer.alloc(6));
    expect(out.full).toBe(true);
    expect(out.unacked().map((f) => f.seq)).toEqual([1, 2]);
    out.ack(1);
    expect(out.full).toBe(false);
    expect(out.unacked().map((f) => f.seq)).toEqual([2]);
    expect(out.firstSeq).toBe(2);
    expect(WINDOW_BYTES).toBeGreaterThan(0);
  });

  it('shedding keeps the newest bytes and remembers until when output was dropped', () => {
    const out = new Outbox(0);
    out.push('stdout', Buffer.alloc(5), 100);
    out.push('stdout', Buffer.alloc(5), 200);
    out.push('stdout', Buffer.alloc(5), 300);
    out.shed(10);
    expect(out.unacked().map((f) => f.seq)).toEqual([2, 3]);
    expect(out.droppedUntil).toBe(100);
  });

  it('the inbox accepts each seq once (a resend after a reconnect is a duplicate)', () => {
    const inbox = new Inbox();
    const frame = (seq: number) => ({ session: 0, stream: 'stdin' as const, seq, time: 0, data: Buffer.alloc(1) });
    expect(inbox.accept(frame(1))).toBe(true);
    expect(inbox.accept(frame(2))).toBe(true);
    expect(inbox.accept(frame(2))).toBe(false);
    expect(inbox.accept(frame(1))).toBe(false);
    expect(inbox.accept(frame(4))).toBe(true);
    expect(inbox.lastSeq).toBe(4);
  });
});
