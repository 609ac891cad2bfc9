// The wire itself: requests cut off anywhere (in the head, in the body, mid-upgrade), clients
// that half-close or vanish, Content-Length larger than what is sent, garbage instead of HTTP,
// and bodies over the limit. No crash, no 5xx, and every socket the daemon opened is closed
// again once its client and container are gone.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/api/limits';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { Client, FUZZ_TIMEOUT_MS, crashWatch, runFuzz, SCALE, snapshot } from './harness';

const RUNS = Math.round(700 * SCALE);
const GARBAGE_RUNS = Math.round(600 * SCALE);

let d: TestDaemon;
let client: Client;
let created: string;
let exited: string;
const watch = crashWatch();

/** Writes bytes on a fresh connection, then ends, vanishes or waits as told; resolves with what came back. */
function exchange(bytes: Buffer, how: 'destroy' | 'end' | 'read'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(d.socket);
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.on('error', () => {});
    socket.on('close', () => (clearTimeout(timer), resolve(Buffer.concat(chunks).toString('latin1'))));
    socket.write(bytes, () => {
      if (how === 'destroy') socket.destroy();
      else if (how === 'end') socket.end();
      // Give the daemon a moment to answer, then go away whatever it did (a stream may never end).
      timer = setTimeout(() => socket.destroy(), how === 'read' ? 40 : 15);
    });
  });
}

/** The status of the first answer in a raw exchange, if there is one. */
const statusOf = (text: string) => (/^HTTP\/1\.1 (\d{3}) /.exec(text) ? Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)![1]) : undefined);

function checkAnswer(text: string, what: string) {
  const status = statusOf(text);
  if (text !== '' && status === undefined) throw new Error(`${what}: answered something that is not HTTP: ${JSON.stringify(text.slice(0, 200))}`);
  if (status !== undefined && status >= 500 && status !== 501) throw new Error(`${what}: answered ${status}: ${JSON.stringify(text.slice(0, 300))}`);
  if (status !== undefined && status >= 400 && !/\r\n\r\n\{"message":"/.test(text) && !/^HEAD /.test(what)) throw new Error(`${what}: ${status} without a JSON message: ${JSON.stringify(text.slice(0, 300))}`);
}

async function connectionsSettle(baseline: number): Promise<number> {
  let n = await d.running.listeners[0]!.connections();
  for (let i = 0; i < 100 && n > baseline; i++) {
    await new Promise((r) => setTimeout(r, 50));
    n = await d.running.listeners[0]!.connections();
  }
  return n;
}

beforeAll(async () => {
  d = await startTestDaemon();
  client = new Client(d.socket);
  const json = () => ({ 'Content-Type': 'application/json' });
  expect((await client.send({ method: 'POST', path: '/images/create?fromImage=alpine&tag=latest', full: true }))?.status).toBe(200);
  const make = async (name: string) =>
    JSON.parse((await client.send({ method: 'POST', path: `/containers/create?name=${name}`, headers: json(), body: Buffer.from('{"Image":"alpine","Cmd":["true"]}') }))!.body.toString()).Id as string;
  created = await make('wire-created');
  exited = await make('wire-exited');
  expect((await client.send({ method: 'POST', path: `/containers/${exited}/start` }))?.status).toBe(204);
  expect((await client.send({ method: 'POST', path: `/containers/${exited}/wait`, full: true }))?.status).toBe(200);
});

afterAll(async () => {
  watch.stop();
  client?.close();
  await d?.close();
});

const targets = () => [
  { method: 'POST', path: `/containers/${created}/attach?stream=1&stdout=1&stderr=1` },
  { method: 'POST', path: `/v1.47/containers/${exited}/attach?stream=1&stdout=1&stderr=1&logs=1` },
  { method: 'POST', path: '/containers/nosuch/attach?stream=1&stdout=1' },
  { method: 'POST', path: `/containers/${created}/attach` },
  { method: 'POST', path: `/exec/nosuch/start` },
  { method: 'POST', path: `/containers/${created}/exec` },
  { method: 'GET', path: '/events' },
  { method: 'GET', path: '/events?since=0' },
  { method: 'POST', path: `/containers/${created}/wait` },
  { method: 'POST', path: '/containers/create' },
  { method: 'GET', path: `/containers/${exited}/logs?stdout=1&follow=1` },
  { method: 'HEAD', path: '/_ping' },
];

it(`${RUNS} requests cut off anywhere, hijacked or not, then left half-closed or dropped: no crash, no 5xx, no socket left behind`, async () => {
  client.close();
  const baseline = await connectionsSettle(0);
  const eventsBefore = d.running.daemon.events.listenerCount('event');
  const arb = fc.record({
    target: fc.constantFrom(...targets()),
    upgrade: fc.boolean(),
    declared: fc.oneof(fc.nat({ max: 4096 }), fc.constantFrom(BODY_LIMIT + 1, 2 ** 40)),
    body: fc.uint8Array({ maxLength: 4096 }),
    cutInHead: fc.boolean(),
    cut: fc.double({ min: 0, max: 1, noNaN: true }),
    how: fc.constantFrom('destroy', 'end', 'read') as fc.Arbitrary<'destroy' | 'end' | 'read'>,
  });
  const show = (c: typeof arb extends fc.Arbitrary<infer T> ? T : never) => JSON.stringify({ ...c, body: `${c.body.length} bytes` });
  await runFuzz(
    'cut requests',
    arb,
    async (c) => {
      const head = Buffer.from(
        `${c.target.method} ${c.target.path} HTTP/1.1\r\nHost: docker\r\n${c.upgrade ? 'Connection: Upgrade\r\nUpgrade: tcp\r\n' : ''}Content-Type: application/json\r\nContent-Length: ${c.declared}\r\n\r\n`,
      );
      const body = Buffer.from(c.body).subarray(0, Math.max(0, c.declared - 1)); // always fewer bytes than declared
      const cut = c.cutInHead ? Math.floor(c.cut * head.length) : head.length + Math.floor(c.cut * body.length);
      const text = await exchange(Buffer.concat([head, body]).subarray(0, cut), c.how);
      checkAnswer(text, `${c.target.method} ${c.target.path}`);
      if (process.env.FUZZ_LEAK_EACH && !c.target.path.includes(created)) {
        const n = await connectionsSettle(baseline);
        if (n !== baseline) throw new Error(`socket left open (${n} vs ${baseline})`);
      }
      if (watch.crashes.length) throw new Error(`crashed: ${String(watch.crashes[0])}`);
    },
    RUNS,
    show,
  );
  // An attach to a container that is not running waits for its next run, so it lives as long as
  // the container does (as with dockerd): remove both, then every socket must be gone.
  const last = new Client(d.socket);
  for (const id of [created, exited]) expect((await last.send({ method: 'DELETE', path: `/containers/${id}?force=1` }))?.status).toBe(204);
  last.close();
  expect(await connectionsSettle(baseline)).toBe(baseline);
  expect(d.running.daemon.events.listenerCount('event')).toBe(eventsBefore);
  expect(watch.crashes).toEqual([]);
}, FUZZ_TIMEOUT_MS);

it(`${GARBAGE_RUNS} byte strings that are not HTTP, or barely: answered 4xx or closed, never 5xx, daemon still up`, async () => {
  const line = fc.oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 80 }),
    fc.constantFrom('GET / HTTP/1.1', 'GET /_ping HTTP/1.0', 'PRI * HTTP/2.0', 'GET /_ping HTTP/9.9', 'POST /containers/create HTTP/1.1', 'GET http://x/_ping HTTP/1.1', 'GET \\\\_ping HTTP/1.1', 'CONNECT docker:80 HTTP/1.1', 'GET /%00 HTTP/1.1', 'OPTIONS * HTTP/1.1'),
  );
  const headerLine = fc.oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    fc.constantFrom('Host: docker', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1, 2', 'Content-Length: 99999999999999999999', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: identity', 'Connection: Upgrade', 'Upgrade: tcp', 'Upgrade: h2c', 'Expect: 100-continue', 'Host:', ': x', 'X: \u0001', 'X-' + 'h'.repeat(70_000) + ': 1'),
  );
  const arb = fc.record({ line, headers: fc.array(headerLine, { maxLength: 6 }), body: fc.oneof(fc.constant(''), fc.string({ unit: 'binary-ascii', maxLength: 100 }), fc.constantFrom('0\r\n\r\n', 'zz\r\nx\r\n0\r\n\r\n', '5\r\nab', '{"Image":"alpine"}')), how: fc.constantFrom('destroy', 'end', 'read') as fc.Arbitrary<'destroy' | 'end' | 'read'> });
  await runFuzz(
    'garbage',
    arb,
    async (g) => {
      const text = await exchange(Buffer.from(`${g.line}\r\n${g.headers.join('\r\n')}\r\n\r\n${g.body}`, 'latin1'), g.how);
      checkAnswer(text, g.line);
      if (watch.crashes.length) throw new Error(`crashed: ${String(watch.crashes[0])}`);
    },
    GARBAGE_RUNS,
    (g) => JSON.stringify({ ...g, headers: g.headers.map((h) => h.slice(0, 80)) }),
  );
  const after = new Client(d.socket);
  expect((await after.send({ method: 'GET', path: '/_ping' }))?.status).toBe(200);
  after.close();
  expect(watch.crashes).toEqual([]);
}, FUZZ_TIMEOUT_MS);

it('a body over the limit is refused with 413 and {"message"}, declared or chunked, and creates nothing', async () => {
  const big = Buffer.alloc(BODY_LIMIT + 1024, 0x20);
  big.write('{"Image":"alpine","Cmd":["true"],"Labels":{"x":"', 0);
  const c = new Client(d.socket);
  const before = await snapshot(d, c);
  for (const chunked of [false, true]) {
    for (const path of ['/containers/create', '/networks/create', '/volumes/create', `/containers/${exited}/start`]) {
      const a = await c.send({ method: 'POST', path, headers: { 'Content-Type': 'application/json' }, body: big, chunked });
      expect({ path, chunked, status: a?.status, message: typeof JSON.parse(a!.body.toString()).message }).toEqual({ path, chunked, status: 413, message: 'string' });
    }
  }
  const deep = Buffer.from(`{"Image":"alpine","Cmd":["true"],"HostConfig":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
  const a = await c.send({ method: 'POST', path: '/containers/create', headers: { 'Content-Type': 'application/json' }, body: deep });
  expect(a?.status).toBe(400);
  expect(JSON.parse(a!.body.toString()).message).toMatch(/nests deeper than/);
  expect(await snapshot(d, c)).toBe(before);
  c.close();
});
