// The container charts' clock is the daemon's to give: a daemon started with a fake clock shows
// its times in `docker inspect`, while its timers (stop grace, cloud timeouts) keep running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

const START = Date.UTC(2031, 4, 6, 7, 8, 9);
let clock = START;
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({ now: () => clock });
});
afterAll(async () => {
  await d?.close();
});

describe('the daemon with an injected clock', () => {
  it('stamps StartedAt and FinishedAt from it', async () => {
    const run = await d.cli(['run', '-d', '--name', 'clocked', 'alpine', 'sleep', '30']);
    expect(run.code).toBe(0);
    const state = async () => JSON.parse((await d.cli(['inspect', 'clocked'])).stdout)[0].State;
    expect((await state()).StartedAt).toBe('2031-05-06T07:08:09.000Z');
    clock += 42_000;
    // The stop's grace and SIGKILL run on the real timers: the container still ends.
    expect((await d.cli(['stop', '-t', '1', 'clocked'])).code).toBe(0);
    expect(await state()).toMatchObject({ Status: 'exited', StartedAt: '2031-05-06T07:08:09.000Z', FinishedAt: '2031-05-06T07:08:51.000Z' });
    expect((await d.cli(['rm', 'clocked'])).code).toBe(0);
  });
});
