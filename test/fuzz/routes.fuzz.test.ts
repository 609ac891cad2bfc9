// Bad input at every route of the app (enumerated from app.routes): random and malformed ids,
// queries, bodies, headers, versions and methods. Every answer must be a 2xx/3xx, a 4xx with
// {"message": string}, or 501 for what is not built; a rejected request changes no state; nothing
// crashes. Runs with a fixed seed (FUZZ_SEED to change it), printed so a failure reproduces.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { requestFor } from './arbitraries';
import { appRoutes, Client, FUZZ_TIMEOUT_MS, crashWatch, describeSent, judge, runFuzz, SCALE, SEED, snapshot, type Route } from './harness';

const RUNS = Math.round(6000 * SCALE);

let d: TestDaemon;
let client: Client;
let routes: Route[];
const watch = crashWatch();
const tally = { sent: 0, unsendable: 0, byStatus: new Map<number, number>() };

beforeAll(async () => {
  d = await startTestDaemon();
  client = new Client(d.socket);
  routes = appRoutes(d.running.app);
});

afterAll(async () => {
  watch.stop();
  client?.close();
  await d?.close();
});

it(`${RUNS} random bad requests over every route: no crash, no 5xx, JSON errors, no state change when rejected (seed ${SEED})`, async () => {
  console.log(`fuzz routes: seed ${SEED}, ${RUNS} runs over ${routes.length} routes (FUZZ_SEED=${SEED} to reproduce)`);
  expect(routes.length).toBeGreaterThan(50);
  let state = await snapshot(d, client);
  const started = performance.now();
  await runFuzz(
    'routes',
    fc.constantFrom(...routes).chain((r) => requestFor(r)),
    async (sent) => {
      const a = await client.send(sent);
      if (!a) return void tally.unsendable++;
      tally.sent++;
      tally.byStatus.set(a.status, (tally.byStatus.get(a.status) ?? 0) + 1);
      const problem = judge(sent, a);
      if (problem) throw new Error(`${problem}\n  request: ${describeSent(sent)}`);
      const after = await snapshot(d, client);
      if (a.status >= 400 && after !== state) throw new Error(`rejected with ${a.status} but the state changed\n  request: ${describeSent(sent)}\n  before: ${state}\n  after:  ${after}`);
      state = after;
      if (watch.crashes.length) throw new Error(`crashed: ${String(watch.crashes[0])}\n  request: ${describeSent(sent)}`);
    },
    RUNS,
    describeSent,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`fuzz routes: ${tally.sent} sent (${tally.unsendable} refused by the client library) in ${seconds}s; statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort()))}`);
  expect((await client.send({ method: 'GET', path: '/_ping' }))?.status).toBe(200);
  expect(watch.crashes).toEqual([]);
}, FUZZ_TIMEOUT_MS);
