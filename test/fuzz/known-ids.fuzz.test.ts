// Bad input aimed at things that exist: every route with an id (containers, images, networks,
// volumes) gets the id of a real fixture, with a malformed query value for a parameter the route
// reads, or a malformed body. Rejections must leave everything as it was; a request that turns out
// valid may act (the fixtures are then put back). Afterwards the docker CLI still works.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { body, headers, pct, query, segment, weird } from './arbitraries';
import { appRoutes, Client, FUZZ_TIMEOUT_MS, crashWatch, describeSent, judge, runFuzz, SCALE, SEED, snapshot, type Route, type Sent } from './harness';

const RUNS = Math.round(2000 * SCALE);

/** Values no Docker parser accepts for a parameter of each kind. */
const bad = {
  bool: fc.oneof(weird, fc.string({ minLength: 1, maxLength: 8 })).filter((s) => !['', '0', '1', 'true', 'false'].includes(s.toLowerCase())),
  int: fc.oneof(fc.constantFrom('x', '1.5', '1e400', 'NaN', '--1', '0x', ' ', '9'.repeat(30), '1_0'), fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^-?\d+$/.test(s.trim()))),
  time: fc.constantFrom('yesterday', '2020-13-45', 'x1', '1e5x', '--5', '99999999999999999999', 'NaN'),
  signal: fc.constantFrom('SIGFOO', '999', '-1', 'KILLL', '', 'SIG', '9x', '__proto__'),
  condition: fc.constantFrom('running', 'exit', 'x', '__proto__', 'NOT-RUNNING '),
  name: fc.constantFrom('', '-x', '_x', 'a', 'a b', 'a/b', 'é', '..', '/', '/-', 'a'.repeat(300) + '/'),
  filters: fc.constantFrom('{', '[]', '"x"', '{"nosuch":["x"]}', '{"label":[1]}', '{"label":{"a":"b"}}', 'null', '{"status":"x"', '%'),
  ref: fc.constantFrom('', ':', 'UPPER', 'a@b', 'a:b:c', '-x', 'x/', 'a//b', 'sha256:zz'),
};
type Kind = keyof typeof bad;

/** The query parameters each kind of route validates (path regex, after the version prefix). */
const VALIDATED: Array<[method: string, path: RegExp, params: Array<[string, Kind]>]> = [
  ['POST', /^\/containers\/[^/]+\/(stop|restart)$/, [['t', 'int']]],
  ['POST', /^\/containers\/[^/]+\/kill$/, [['signal', 'signal']]],
  ['DELETE', /^\/containers\/[^/]+$/, [['force', 'bool'], ['v', 'bool'], ['link', 'bool']]],
  ['POST', /^\/containers\/[^/]+\/rename$/, [['name', 'name']]],
  ['POST', /^\/containers\/[^/]+\/wait$/, [['condition', 'condition']]],
  ['GET', /^\/containers\/[^/]+\/logs$/, [['stdout', 'bool'], ['stderr', 'bool'], ['follow', 'bool'], ['timestamps', 'bool'], ['tail', 'int'], ['since', 'time'], ['until', 'time']]],
  ['POST', /^\/containers\/[^/]+\/attach$/, [['stream', 'bool'], ['logs', 'bool'], ['stdout', 'bool'], ['stderr', 'bool']]],
  ['GET', /^\/containers\/json$/, [['all', 'bool'], ['limit', 'int'], ['filters', 'filters']]],
  ['DELETE', /^\/images\/.+$/, [['force', 'bool'], ['noprune', 'bool']]],
  ['POST', /^\/images\/.+\/tag$/, [['repo', 'ref']]],
  ['GET', /^\/images\/json$/, [['all', 'bool'], ['digests', 'bool'], ['filters', 'filters']]],
  ['POST', /^\/images\/prune$/, [['filters', 'filters']]],
  ['GET', /^\/events$/, [['since', 'time'], ['until', 'time'], ['filters', 'filters']]],
  ['GET', /^\/networks$/, [['filters', 'filters']]],
  ['POST', /^\/networks\/prune$/, [['filters', 'filters']]],
  ['GET', /^\/volumes$/, [['filters', 'filters']]],
  ['POST', /^\/volumes\/prune$/, [['filters', 'filters']]],
];

let d: TestDaemon;
let client: Client;
let routes: Route[];
const watch = crashWatch();
const fixtureRefs: string[] = [];
const tally = { sent: 0, valid: 0, restored: 0 };

async function api(method: string, path: string, json?: unknown) {
  const a = await client.send({ method, path, headers: json === undefined ? {} : { 'Content-Type': 'application/json' }, body: json === undefined ? undefined : Buffer.from(JSON.stringify(json)), full: true });
  return { status: a!.status, json: a!.body.length && String(a!.headers['content-type']).includes('json') ? JSON.parse(a!.body.toString().split('\n')[0]!) : undefined };
}

/** Creates whichever fixture is missing: containers fuzz-a (created) and fuzz-b, image, network, volume. */
async function fixtures(): Promise<boolean> {
  let made = false;
  const exists = async (path: string) => (await api('GET', path)).status === 200;
  if (!(await exists('/images/alpine/json'))) (await api('POST', '/images/create?fromImage=alpine&tag=latest'), (made = true));
  if (!(await exists('/images/fuzz%2Fimg:1/json'))) (await api('POST', '/images/alpine/tag?repo=fuzz%2Fimg&tag=1'), (made = true));
  for (const name of ['fuzz-a', 'fuzz-b']) {
    if (await exists(`/containers/${name}/json`)) continue;
    const created = await api('POST', `/containers/create?name=${name}`, { Image: 'alpine', Cmd: ['true'], Labels: { fuzz: name } });
    expect(created.status).toBe(201);
    made = true;
  }
  if (!(await exists('/networks/fuzz-net'))) (await api('POST', '/networks/create', { Name: 'fuzz-net' }), (made = true));
  if (!(await exists('/volumes/fuzz-vol'))) (await api('POST', '/volumes/create', { Name: 'fuzz-vol' }), (made = true));
  fixtureRefs.length = 0;
  for (const name of ['fuzz-a', 'fuzz-b']) {
    const id = (await api('GET', `/containers/${name}/json`)).json.Id as string;
    fixtureRefs.push(id, id.slice(0, 12), name, `/${name}`);
  }
  const image = (await api('GET', '/images/alpine/json')).json?.Id as string | undefined;
  if (image) fixtureRefs.push(image, image.slice(7, 19));
  fixtureRefs.push('alpine', 'alpine:latest', 'docker.io/library/alpine', 'fuzz/img:1', 'fuzz-net', 'bridge', 'fuzz-vol');
  return made;
}

/** Waits until nothing is running or changing: a valid request may have started a container. */
async function settle(): Promise<string> {
  let last = '';
  for (let i = 0; i < 200; i++) {
    const now = await snapshot(d, client);
    if (now === last && !/"State":"(running|restarting|removing)"/.test(now)) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 10));
  }
  return last;
}

beforeAll(async () => {
  d = await startTestDaemon();
  client = new Client(d.socket);
  routes = appRoutes(d.running.app).filter((r) => /[:*]/.test(r.path) || VALIDATED.some(([, p]) => p.test(r.path)));
  await fixtures();
  const b = (await api('GET', '/containers/fuzz-b/json')).json.Id as string;
  expect((await api('POST', `/containers/${b}/start`)).status).toBe(204);
  expect((await api('POST', `/containers/${b}/wait`)).json).toMatchObject({ StatusCode: 0 });
});

afterAll(async () => {
  watch.stop();
  client?.close();
  await d?.close();
});

function requestAt(route: Route): fc.Arbitrary<Sent> {
  const ref = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fixtureRefs) }, weird);
  const parts = route.path.split('/').slice(1);
  const path = fc
    .tuple(...parts.map((p) => (p.startsWith(':') || p === '*' ? segment(ref) : fc.constant(p))), fc.constantFrom('', '/json', '/history', '/tag', '/push', '/get'))
    .map(([...segs]) => {
      const suffix = segs.pop()!;
      return `/${segs.join('/')}${route.path.endsWith('*') ? suffix : ''}`;
    });
  return fc
    .record({ method: fc.constantFrom(...route.methods), path, junk: query, headers, body, badBody: fc.boolean() })
    .chain((r) => {
      const validated = VALIDATED.find(([m, p]) => m === r.method && p.test(r.path))?.[2] ?? [];
      const badParam = validated.length
        ? fc.constantFrom(...validated).chain(([name, kind]) => bad[kind].map((v) => `${name}=${pct(v)}`))
        : fc.constant('');
      return badParam.map((b) => {
        const q = [r.junk.replace(/^\?/, ''), b].filter(Boolean).join('&');
        const sendsBody = r.method !== 'GET' && r.method !== 'HEAD';
        // Where no query parameter is validated, the body is what must be bad: malformed JSON.
        const payload = sendsBody ? (validated.length ? r.body : Buffer.from(r.badBody ? '{"Image":' : '[[[')) : undefined;
        return { method: r.method, path: `${r.path}${q ? `?${q}` : ''}`, headers: { ...r.headers, 'Content-Type': 'application/json' }, body: payload, chunked: false };
      });
    });
}

it(`${RUNS} bad requests at existing containers, images, networks and volumes change nothing (seed ${SEED})`, async () => {
  console.log(`fuzz known ids: seed ${SEED}, ${RUNS} runs over ${routes.length} routes`);
  let state = await settle();
  const { ms } = await runFuzz(
    'known ids',
    fc.constantFrom(...routes).chain(requestAt),
    async (sent) => {
      const a = await client.send(sent);
      if (!a) return;
      tally.sent++;
      const problem = judge(sent, a);
      if (problem) throw new Error(`${problem}\n  request: ${describeSent(sent)}`);
      if (a.status >= 400) {
        const after = await snapshot(d, client);
        if (after !== state) throw new Error(`rejected with ${a.status} but the state changed\n  request: ${describeSent(sent)}\n  before: ${state}\n  after:  ${after}`);
      } else {
        tally.valid++;
        await settle();
        if (await fixtures()) tally.restored++;
        state = await settle();
      }
      if (watch.crashes.length) throw new Error(`crashed: ${String(watch.crashes[0])}\n  request: ${describeSent(sent)}`);
    },
    RUNS,
    describeSent,
  );
  console.log(`fuzz known ids: ${tally.sent} sent in ${(ms / 1000).toFixed(1)}s; ${tally.valid} turned out valid (fixtures restored ${tally.restored} times)`);
  expect(watch.crashes).toEqual([]);
}, FUZZ_TIMEOUT_MS);

it('valid requests still succeed afterwards: docker run, ps, images, network ls, volume ls', async () => {
  const run = await d.cli(['run', '--rm', 'alpine', 'echo', 'still fine']);
  expect(run.stdout).toBe('still fine\n');
  expect(run.code).toBe(0);
  for (const args of [['ps', '-a'], ['images'], ['network', 'ls'], ['volume', 'ls'], ['inspect', 'fuzz-b']]) {
    const r = await d.cli(args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
  }
});
