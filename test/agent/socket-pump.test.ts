// Port streams (issue 20): the pump that carries one TCP connection over the agent's connection,
// with the protocol's window and half-close, on real loopback sockets.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeData, decodeDaemonMessage, encodeData, encodeMessage, WINDOW_BYTES, type DataFrame } from '../../src/agent/protocol';
import { SocketPump } from '../../src/agent/socket-pump';

let server: Server | undefined;
afterEach(() => server?.close());

/** A connected pair: the client socket, and the server's end of it (half-open allowed). */
function pair(): Promise<{ client: Socket; accepted: Socket }> {
  return new Promise((resolve) => {
    server = createServer({ allowHalfOpen: true }, (accepted) => resolve({ client, accepted }));
    let client: Socket;
    server.listen(0, '127.0.0.1', () => {
      client = connect({ port: (server!.address() as { port: number }).port, host: '127.0.0.1', allowHalfOpen: true });
    });
  });
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('port stream frames', () => {
  it('the port stream code and the port messages round-trip by direction', () => {
    const frame = { session: 3, stream: 'port' as const, seq: 1, time: 5, data: Buffer.from('x') };
    expect(decodeData(encodeData(frame))).toEqual(frame);
    expect(decodeDaemonMessage(encodeMessage({ t: 'portOpen', s: 3, port: 80 }))).toEqual({ t: 'portOpen', s: 3, port: 80 });
    expect(decodeAgentMessage(encodeMessage({ t: 'portOpened', s: 3 }))).toEqual({ t: 'portOpened', s: 3 });
    expect(decodeAgentMessage(encodeMessage({ t: 'portClose', s: 3, error: 'ECONNREFUSED' }))).toMatchObject({ t: 'portClose' });
    expect(decodeDaemonMessage(encodeMessage({ t: 'portEnd', s: 3 }))).toEqual({ t: 'portEnd', s: 3 });
    expect(() => decodeAgentMessage('{"t":"portOpen","s":1,"port":80}')).toThrow(); // a daemon message
  });
});

describe('SocketPump', () => {
  it('stops reading at the window until acknowledged, sends everything in order, then the FIN as portEnd', async () => {
    const { client, accepted } = await pair();
    const frames: DataFrame[] = [];
    const controls: { t: string }[] = [];
    const pump = new SocketPump(1, accepted, { sendData: (f) => frames.push(f), control: (m) => controls.push(m) }, () => {});
    pump.flow();
    const total = 4 * WINDOW_BYTES;
    client.end(Buffer.alloc(total, 1));
    const inFlight = () => frames.reduce((n, f) => n + f.data.length, 0);
    await until(() => inFlight() >= WINDOW_BYTES);
    // Nothing acknowledged: the pump has paused the socket (at most one read past the window).
    await new Promise((r) => setTimeout(r, 100));
    expect(inFlight()).toBeLessThan(WINDOW_BYTES + 128 * 1024);
    expect(controls.some((c) => c.t === 'portEnd')).toBe(false);
    // Acknowledge as frames come: the rest flows, in sequence, and the FIN follows the last byte.
    let acked = 0;
    while (!controls.some((c) => c.t === 'portEnd')) {
      const last = frames.at(-1)!.seq;
      if (last > acked) pump.ack((acked = last));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(inFlight()).toBe(total);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    client.destroy();
  });

  it('data received is written to the socket and acknowledged once written; portEnd half-closes it', async () => {
    const { client, accepted } = await pair();
    const acks: number[] = [];
    const pump = new SocketPump(2, accepted, { sendData: () => {}, control: (m) => m.t === 'ack' && acks.push(m.seq) }, () => {});
    pump.flow();
    let got = '';
    client.on('data', (b) => (got += b));
    const ended = new Promise((r) => client.on('end', r));
    pump.data({ session: 2, stream: 'port', seq: 1, time: 0, data: Buffer.from('hel') });
    pump.data({ session: 2, stream: 'port', seq: 1, time: 0, data: Buffer.from('hel') }); // a resend: ignored
    pump.data({ session: 2, stream: 'port', seq: 2, time: 0, data: Buffer.from('lo') });
    pump.end();
    await ended;
    expect(got).toBe('hello');
    await until(() => acks.length === 2);
    expect(acks).toEqual([1, 2]);
    client.destroy();
  });

  it('a reset by the peer is a portClose; an abort destroys the socket and ends the stream once', async () => {
    const { client, accepted } = await pair();
    const controls: { t: string }[] = [];
    let done = 0;
    const pump = new SocketPump(3, accepted, { sendData: () => {}, control: (m) => controls.push(m) }, () => done++);
    pump.flow();
    client.resetAndDestroy();
    await until(() => done === 1);
    expect(controls.map((c) => c.t)).toContain('portClose');
    pump.abort();
    expect(done).toBe(1);
  });
});
