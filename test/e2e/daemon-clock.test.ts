// The container charts' clock is the daemon's to give: a daemon started with a clock the test
// moves shows its times in `docker inspect`, and its chart timers fire when that clock says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { ManualClock } from '../helpers/manual-clock';

const clock = new ManualClock(Date.UTC(2031, 4, 6, 7, 8, 9));
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({ clock });
});
afterAll(async () => {
  clock.runFreely();
  await d?.close();
});

const state = async (name: string) => {
  const [info] = JSON.parse((await d.cli(['inspect', name])).stdout);
  return { ...info.State, RestartCount: info.RestartCount };
};

describe('the daemon with an injected chart clock', () => {
  it('stamps StartedAt and FinishedAt from it', async () => {
    clock.runFreely();
    const run = await d.cli(['run', '-d', '--name', 'clocked', 'alpine', 'sleep', '30']);
    expect(run.code).toBe(0);
    expect((await state('clocked')).StartedAt).toBe('2031-05-06T07:08:09.000Z');
    clock.advance(42_000);
    // The stop's grace runs on the clock's timers, here handed to real time: when it runs out
    // (the process outlived SIGTERM) it moves the clock on by its second.
    expect((await d.cli(['stop', '-t', '1', 'clocked'])).code).toBe(0);
    const stopped = await state('clocked');
    expect(stopped).toMatchObject({ Status: 'exited', StartedAt: '2031-05-06T07:08:09.000Z' });
    expect(['2031-05-06T07:08:51.000Z', '2031-05-06T07:08:52.000Z']).toContain(stopped.FinishedAt);
    expect((await d.cli(['rm', 'clocked'])).code).toBe(0);
  });

  it('runs the restart back-off on it: the container restarts when the clock fires, not before', async () => {
    clock.hold();
    const run = await d.cli(['run', '-d', '--name', 'backoff', '--restart', 'on-failure:1', 'alpine', 'sh', '-c', 'exit 3']);
    expect(run.code).toBe(0);
    for (let i = 0; i < 100 && (await state('backoff')).Status !== 'restarting'; i++) await new Promise((r) => setTimeout(r, 50));
    // Docker's first back-off is 100 ms; held, it lasts until the clock fires it.
    await new Promise((r) => setTimeout(r, 500));
    expect(await state('backoff')).toMatchObject({ Status: 'restarting', RestartCount: 1 });
    expect(clock.fireNext()).toBe(true);
    for (let i = 0; i < 100 && (await state('backoff')).Status !== 'exited'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await state('backoff')).toMatchObject({ Status: 'exited', ExitCode: 3, RestartCount: 1 });
    clock.runFreely();
    expect((await d.cli(['rm', 'backoff'])).code).toBe(0);
  });
});
