// Create bodies that are valid but for one field: a real image, name or driver, and one field of
// the wrong type or shape (labels with empty or spaced keys, non-string env, a number for a
// command...). Each must be answered 400 with a message and create nothing. Valid bodies from the
// same generators must still be answered 201.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { pct, weird } from './arbitraries';
import { Client, FUZZ_TIMEOUT_MS, crashWatch, describeSent, judge, runFuzz, SCALE, snapshot, type Sent } from './harness';

const RUNS = Math.round(800 * SCALE);

let d: TestDaemon;
let client: Client;
const watch = crashWatch();

const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
const notBool = fc.oneof(fc.integer(), fc.string(), fc.array(fc.boolean(), { maxLength: 1 }));
const notObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.string(), { minLength: 1, maxLength: 2 }));
/** Docker's label rule (the CLI's opts.ValidateLabel): a key is not empty and has no whitespace. */
const badLabelKey = fc.oneof(fc.constantFrom('', ' ', 'a b', '\t', 'x\n', ' lead', 'trail '), fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom(' ', '\t', '\n', '\r'), fc.string({ maxLength: 5 })).map((p) => p.join('')));
const badLabels = fc.oneof(
  notObject,
  fc.tuple(badLabelKey, fc.string()).map(([k, v]) => ({ ok: 'x', [k]: v })),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/), notString).map(([k, v]) => ({ [k]: v })),
);
const badName = fc.oneof(fc.constantFrom('', '-x', '_x', '.x', 'a', 'a b', 'a/b', 'é', '..', '/', '/-x', 'a:b', 'a@b', '%', '\u0000x'), fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(s)));
const goodName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,20}$/);
const goodLabels = fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._/-]{0,15}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 });

/** One field of a container create body made wrong; everything else valid. */
const badContainerField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  badLabels.map((v) => ['Labels', v] as [string, unknown]),
  fc.oneof(notObject.filter((v) => !Array.isArray(v)), fc.array(notString, { minLength: 1, maxLength: 2 })).map((v) => ['Env', v] as [string, unknown]),
  fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(fc.string(), fc.string(), { minKeys: 1, maxKeys: 1 }), fc.array(notString, { minLength: 1, maxLength: 2 })).map((v) => ['Cmd', v] as [string, unknown]),
  fc.oneof(fc.integer(), fc.array(fc.integer(), { minLength: 1, maxLength: 2 })).map((v) => ['Entrypoint', v] as [string, unknown]),
  notObject.map((v) => ['HostConfig', v] as [string, unknown]),
  notBool.map((v) => ['HostConfig', { AutoRemove: v }] as [string, unknown]),
  notObject.map((v) => ['HostConfig', { RestartPolicy: v }] as [string, unknown]),
  notString.filter((v) => v !== null).map((v) => ['HostConfig', { NetworkMode: v }] as [string, unknown]),
  fc.constantFrom('Tty', 'AttachStdin', 'AttachStdout', 'OpenStdin', 'StdinOnce').chain((k) => notBool.map((v) => [k, v] as [string, unknown])),
  fc.oneof(fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean()).map((v) => ['StopTimeout', v] as [string, unknown]),
  fc.constantFrom('Hostname', 'User', 'WorkingDir', 'StopSignal').chain((k) => notString.filter((v) => v !== null).map((v) => [k, v] as [string, unknown])),
  notObject.map((v) => ['ExposedPorts', v] as [string, unknown]),
  notString.filter((v) => v !== null).map((v) => ['Image', v] as [string, unknown]),
);

type Case = { what: string; sent: Sent };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const post = (path: string, body: unknown): Sent => ({ method: 'POST', path, headers: { 'Content-Type': 'application/json' }, body: json(body) });

const badCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: badContainerField.map(([k, v]) => ({ what: `container ${k}`, sent: post('/containers/create', { Image: 'alpine', Cmd: ['true'], [k]: v }) })) },
  // `?name=` (empty) asks for a generated name, as with dockerd.
  badName.filter((n) => n !== '').map((n) => ({ what: 'container name', sent: post(`/containers/create?name=${pct(n)}`, { Image: 'alpine', Cmd: ['true'] }) })),
  badLabels.map((l) => ({ what: 'network labels', sent: post('/networks/create', { Name: 'fuzz-bodies-net', Labels: l }) })),
  // Docker lets a network name be one character long.
  badName.filter((n) => !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(n)).map((n) => ({ what: 'network name', sent: post('/networks/create', { Name: n }) })),
  fc.constantFrom('Internal', 'Attachable', 'EnableIPv6').chain((k) => notBool.map((v) => ({ what: `network ${k}`, sent: post('/networks/create', { Name: 'fuzz-bodies-net', [k]: v }) }))),
  badLabels.map((l) => ({ what: 'volume labels', sent: post('/volumes/create', { Name: 'fuzz-bodies-vol', Labels: l }) })),
  badName.filter((n) => n !== '').map((n) => ({ what: 'volume name', sent: post('/volumes/create', { Name: n }) })),
  fc.tuple(weird, fc.constantFrom('tag', 'platform')).filter(([v, k]) => (k === 'platform' ? !['', 'linux', 'linux/amd64'].includes(v) : !/^[\w][\w.-]{0,127}$/.test(v) && v !== '' && !/^sha256:[0-9a-f]{64}$/.test(v))).map(([v, k]) => ({
    what: `pull ${k}`,
    sent: { method: 'POST', path: `/images/create?fromImage=alpine&${k}=${pct(v)}` },
  })),
);

beforeAll(async () => {
  d = await startTestDaemon();
  client = new Client(d.socket);
  expect((await client.send({ method: 'POST', path: '/images/create?fromImage=alpine&tag=latest', full: true }))?.status).toBe(200);
});

afterAll(async () => {
  watch.stop();
  client?.close();
  await d?.close();
});

it(`${RUNS} create bodies with one bad field are all refused with 400 and create nothing`, async () => {
  const state = await snapshot(d, client);
  const seen = new Map<string, number>();
  const { ms } = await runFuzz(
    'bodies',
    badCase,
    async ({ what, sent }) => {
      const a = await client.send(sent);
      if (!a) return;
      seen.set(what, (seen.get(what) ?? 0) + 1);
      const problem = judge(sent, a);
      if (problem) throw new Error(`${what}: ${problem}\n  request: ${describeSent(sent)}`);
      // A pull answers 200 and streams its error; everything else must be a plain 400.
      if (what.startsWith('pull') ? a.status !== 400 && !a.body.toString().includes('"error"') : a.status !== 400) {
        throw new Error(`${what}: answered ${a.status}, not 400: ${a.body.toString().slice(0, 200)}\n  request: ${describeSent(sent)}`);
      }
      const after = await snapshot(d, client);
      if (after !== state) throw new Error(`${what}: refused but the state changed\n  request: ${describeSent(sent)}\n  after: ${after}`);
    },
    RUNS,
    (c) => `${c.what}: ${describeSent(c.sent)}`,
  );
  console.log(`fuzz bodies: ${RUNS} in ${(ms / 1000).toFixed(1)}s: ${JSON.stringify(Object.fromEntries(seen))}`);
  expect(watch.crashes).toEqual([]);
}, FUZZ_TIMEOUT_MS);

it('valid bodies from the same generators are created (201), and removed again', async () => {
  await runFuzz(
    'valid bodies',
    fc.record({ name: goodName, labels: goodLabels, env: fc.array(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}=[ -~]{0,10}$/), { maxLength: 3 }), tty: fc.boolean() }),
    async ({ name, labels, env, tty }) => {
      const made = await client.send(post(`/containers/create?name=${pct(name)}`, { Image: 'alpine', Cmd: ['true'], Labels: labels, Env: env, Tty: tty }));
      expect(made?.status, made?.body.toString()).toBe(201);
      const id = JSON.parse(made!.body.toString()).Id as string;
      const inspect = JSON.parse((await client.send({ method: 'GET', path: `/containers/${id}/json` }))!.body.toString());
      expect(inspect.Name).toBe(`/${name}`);
      expect(inspect.Config.Labels).toMatchObject(labels);
      expect((await client.send({ method: 'DELETE', path: `/containers/${id}` }))?.status).toBe(204);
      const net = await client.send(post('/networks/create', { Name: `n-${name}`, Labels: labels }));
      expect(net?.status, net?.body.toString()).toBe(201);
      expect((await client.send({ method: 'DELETE', path: `/networks/n-${pct(name)}` }))?.status).toBe(204);
      const vol = await client.send(post('/volumes/create', { Name: `v-${name}`, Labels: labels }));
      expect(vol?.status, vol?.body.toString()).toBe(201);
      expect((await client.send({ method: 'DELETE', path: `/volumes/v-${pct(name)}` }))?.status).toBe(204);
    },
    Math.round(60 * SCALE),
    (v) => JSON.stringify(v),
  );
});
