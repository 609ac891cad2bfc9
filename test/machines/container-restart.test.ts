// Rule 7: restart policies as guarded transitions out of `exited`, on in-memory doubles and a
// simulated clock (the back-off fires when the test moves the clock, never by waiting).
import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { nextRestartDelay, restartsByPolicy } from '../../machines/container/restart-policy';
import { startHarness } from './harness';

type Harness = ReturnType<typeof startHarness>;

const exited = (h: Harness) => waitFor(h.actor, (s) => s.matches({ exited: 'stopped' }));
const backingOff = (h: Harness) => waitFor(h.actor, (s) => s.matches({ exited: 'backoff' }));
const running = (h: Harness) => waitFor(h.actor, (s) => s.matches('running'));

/** The running execution fails with `code`, and the container waits out its back-off. */
async function failAndBackOff(h: Harness, code = 1) {
  h.exit({ status: 'Failed', exitCode: code });
  await backingOff(h);
}

describe('restart policies (rule 7)', () => {
  it('on-failure:2 runs three times, then stays exited with RestartCount 2; back-off 100 then 200 ms', async () => {
    const h = startHarness({ restartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
    await h.ask({ type: 'START' });
    await failAndBackOff(h);
    expect(h.status()).toBe('restarting');
    expect(h.context()).toMatchObject({ restartCount: 1, restartDelayMs: 100, exitCode: 1 });
    h.clock.increment(99);
    expect(h.status()).toBe('restarting');
    h.clock.increment(1);
    await running(h);
    expect(h.context().restartCount).toBe(1);
    await failAndBackOff(h);
    expect(h.context()).toMatchObject({ restartCount: 2, restartDelayMs: 200 });
    h.clock.increment(200);
    await running(h);
    h.exit({ status: 'Failed', exitCode: 1 });
    await exited(h);
    expect(h.status()).toBe('exited');
    expect(h.context().restartCount).toBe(2);
    expect(h.calls).toEqual(['runJob', 'deleteJob', 'runJob', 'deleteJob', 'runJob']);
    expect(h.events).toEqual(['create', 'start', 'die', 'start', 'restart', 'die', 'start', 'restart', 'die']);
  });

  it('on-failure does not restart a clean exit; no restarts without a policy', async () => {
    const h = startHarness({ restartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 } });
    await h.ask({ type: 'START' });
    h.exit({ status: 'Succeeded', exitCode: 0 });
    await exited(h);
    const none = startHarness();
    await none.ask({ type: 'START' });
    none.exit({ status: 'Failed', exitCode: 1 });
    await exited(none);
    expect([h.context().restartCount, none.context().restartCount]).toEqual([0, 0]);
  });

  it('always restarts a clean exit too, and unless-stopped likewise', async () => {
    for (const Name of ['always', 'unless-stopped']) {
      const h = startHarness({ restartPolicy: { Name, MaximumRetryCount: 0 } });
      await h.ask({ type: 'START' });
      h.exit({ status: 'Succeeded', exitCode: 0 });
      await backingOff(h);
      h.clock.increment(100);
      await running(h);
      expect(h.context().restartCount).toBe(1);
    }
  });

  it('a user stop wins over always: the container stays exited', async () => {
    const h = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'STOP' })).toMatchObject({ outcome: 'noContent' });
    expect(h.actor.getSnapshot().matches({ exited: 'stopped' })).toBe(true);
    h.clock.increment(60_000);
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM']);
  });

  it('docker kill: always restarts, unless-stopped does not (Docker counts a kill as a manual stop)', async () => {
    const always = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    await always.ask({ type: 'START' });
    await always.ask({ type: 'KILL', signal: 'SIGKILL' });
    expect(always.status()).toBe('restarting');
    const unless = startHarness({ restartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } });
    await unless.ask({ type: 'START' });
    await unless.ask({ type: 'KILL', signal: 'SIGKILL' });
    expect(unless.status()).toBe('exited');
  });

  it('during the back-off: stop cancels the restart (stop event, waits released), start 304, kill and rm 409', async () => {
    const h = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    await h.ask({ type: 'START' });
    await failAndBackOff(h, 3);
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'notModified' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGKILL' })).toMatchObject({ outcome: 'conflict' });
    expect(await h.ask({ type: 'REMOVE', force: false })).toMatchObject({ outcome: 'conflict', body: { message: expect.stringContaining('restarting container') } });
    const waited = h.ask({ type: 'WAIT', condition: 'not-running' });
    expect(await h.ask({ type: 'STOP' })).toMatchObject({ outcome: 'noContent' });
    expect(await waited).toMatchObject({ outcome: 'ok', body: { StatusCode: 3 } });
    expect(h.status()).toBe('exited');
    h.clock.increment(60_000);
    expect(h.calls).toEqual(['runJob']);
    expect(h.events).toEqual(['create', 'start', 'die', 'stop']);
  });

  it('during the back-off: restart runs at once and resets the count; force-remove removes', async () => {
    const h = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    await h.ask({ type: 'START' });
    await failAndBackOff(h);
    expect(await h.ask({ type: 'RESTART' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('running');
    expect(h.context()).toMatchObject({ restartCount: 0, restartDelayMs: 0 });
    await failAndBackOff(h);
    expect(await h.ask({ type: 'REMOVE', force: true })).toMatchObject({ outcome: 'noContent' });
    expect(h.actor.getSnapshot().status).toBe('done');
  });

  it('a start by the user resets RestartCount and the back-off', async () => {
    const h = startHarness({ restartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } });
    await h.ask({ type: 'START' });
    await failAndBackOff(h);
    h.clock.increment(100);
    await running(h);
    h.exit({ status: 'Failed', exitCode: 1 });
    await exited(h);
    expect(h.context().restartCount).toBe(1);
    await h.ask({ type: 'START' });
    expect(h.context()).toMatchObject({ restartCount: 0, restartDelayMs: 0 });
    await failAndBackOff(h);
    expect(h.context().restartCount).toBe(1);
  });

  it('a failed start is not restarted, not even by always', async () => {
    const h = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 }, failStart: 'create job sockerless-x failed: quota' });
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'system' });
    expect(h.actor.getSnapshot().matches({ exited: 'stopped' })).toBe(true);
    const later = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    await later.ask({ type: 'START' });
    later.failStarts('create job sockerless-x failed: quota');
    await failAndBackOff(later);
    later.clock.increment(100);
    await exited(later);
    expect(later.context()).toMatchObject({ restartCount: 1, error: 'create job sockerless-x failed: quota' });
  });

  it('docker update --restart on an exited container changes the policy for the next exit only', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    h.exit({ status: 'Failed', exitCode: 1 });
    await exited(h);
    expect(await h.ask({ type: 'UPDATE', hostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }, resources: false })).toMatchObject({ outcome: 'ok' });
    expect(h.status()).toBe('exited');
    await h.ask({ type: 'START' });
    await failAndBackOff(h);
    expect(h.context().hostConfig.RestartPolicy.Name).toBe('always');
  });

  it('an execution whose image could not be pulled keeps ACA\'s reason as the error', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    const wait = h.ask({ type: 'WAIT', condition: 'next-exit' });
    h.exit({ status: 'Failed', reason: 'ImagePullFailure', message: "Container 'main' was terminated with exit code '' and reason 'ImagePullFailure'" });
    expect(await wait).toMatchObject({ body: { StatusCode: 1, Error: { Message: expect.stringContaining('ImagePullFailure') } } });
  });
});

describe('restart policy functions', () => {
  const base = { restartDelayMs: 0, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };

  it('back-off: 100 ms, doubling, capped at a minute, reset by a run of 10 s', () => {
    const delays: number[] = [];
    let restartDelayMs = 0;
    for (let i = 0; i < 12; i++) delays.push((restartDelayMs = nextRestartDelay({ ...base, restartDelayMs })));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    expect(nextRestartDelay({ ...base, restartDelayMs: 6400, finishedAt: '2026-01-01T00:00:10.000Z' })).toBe(100);
    expect(nextRestartDelay({ ...base, restartDelayMs: 6400, finishedAt: '2026-01-01T00:00:09.999Z' })).toBe(12800);
  });

  it('never restarts a removal, a restart under way, or a self-removing container', () => {
    const h = startHarness({ restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    const ctx = h.context();
    expect(restartsByPolicy({ ...ctx, intent: 'remove' })).toBe(false);
    expect(restartsByPolicy({ ...ctx, intent: 'restart' })).toBe(false);
    expect(restartsByPolicy({ ...ctx, hostConfig: { ...ctx.hostConfig, AutoRemove: true } })).toBe(false);
    expect(restartsByPolicy(ctx)).toBe(true);
  });
});
