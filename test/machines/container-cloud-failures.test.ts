import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { MAX_CLOUD_ATTEMPTS } from '../../machines/container/machine';
import { startHarness } from './harness';

const throttled = { kind: 'throttled', message: 'create job sockerless-c0ffee000000 failed: Too Many Requests' };
const fatal = { kind: 'fatal', message: 'create job sockerless-c0ffee000000 failed: InvalidParameterValue' };

/** Advances the simulated clock until the actor reaches a state `done` accepts. */
async function advanceUntil(h: ReturnType<typeof startHarness>, done: () => boolean, stepMs = 1000, maxSteps = 200): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i++) {
    h.clock.increment(stepMs);
    await new Promise((r) => setImmediate(r));
  }
}

describe('container machine: cloud failures branch on their class', () => {
  it('a throttled start is called again after a back-off, and then runs', async () => {
    const h = startHarness({ cloudErrors: { runJob: [throttled, { ...throttled, kind: 'transient' }] } });
    const started = h.ask({ type: 'START' });
    await advanceUntil(h, () => h.actor.getSnapshot().matches('running'));
    expect(await started).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'runJob', 'runJob']);
    expect(h.context().error).toBe('');
  });

  it('a fatal start failure is not retried: exited with the Azure error in State.Error', async () => {
    const h = startHarness({ cloudErrors: { runJob: [fatal] } });
    const answer = await h.ask({ type: 'START' });
    expect(answer).toMatchObject({ outcome: 'system', body: { message: fatal.message } });
    expect(h.calls).toEqual(['runJob']);
    expect(h.status()).toBe('exited');
    expect(h.context()).toMatchObject({ error: fatal.message, exitCode: 128, jobExists: true });
  });

  it(`gives up after ${MAX_CLOUD_ATTEMPTS} throttled starts`, async () => {
    const h = startHarness({ cloudErrors: { runJob: Array.from({ length: MAX_CLOUD_ATTEMPTS + 1 }, () => throttled) } });
    const started = h.ask({ type: 'START' });
    await advanceUntil(h, () => h.actor.getSnapshot().matches('exited'));
    expect(await started).toMatchObject({ outcome: 'system', body: { message: throttled.message } });
    expect(h.calls.filter((c) => c === 'runJob')).toHaveLength(MAX_CLOUD_ATTEMPTS);
  });

  it('a start that never finishes is tried again after its timeout, then exits; removal still deletes the job', async () => {
    const h = startHarness({ hangStart: true });
    const started = h.ask({ type: 'START' });
    await advanceUntil(h, () => h.actor.getSnapshot().matches('exited'), 10_000);
    expect(await started).toMatchObject({ outcome: 'system' });
    expect(h.context().error).toMatch(/start timed out/);
    expect(h.context().exitCode).toBe(128);
    expect(await h.ask({ type: 'REMOVE', force: false })).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual([...Array.from({ length: MAX_CLOUD_ATTEMPTS }, () => 'runJob'), 'deleteJob']);
  });

  it('a delete that never finishes is tried again after each timeout; a restart or removal then ends dead', async () => {
    for (const request of ['RESTART', 'REMOVE'] as const) {
      const h = startHarness({ hangDelete: true });
      await h.ask({ type: 'START' });
      h.exit({ status: 'Succeeded', exitCode: 0 });
      await waitFor(h.actor, (s) => s.matches('exited'));
      const answer = h.ask(request === 'REMOVE' ? { type: 'REMOVE', force: false } : { type: 'RESTART' });
      await advanceUntil(h, () => h.actor.getSnapshot().matches('dead'), 10_000);
      expect(await answer).toMatchObject({ outcome: 'system', body: { message: expect.stringMatching(/timed out/) } });
      expect(h.calls.filter((c) => c === 'deleteJob')).toHaveLength(MAX_CLOUD_ATTEMPTS);
    }
  });

  it('an execution never seen running is stopped after the schedule timeout, as a failed start', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    const waited = h.ask({ type: 'WAIT', condition: 'not-running' });
    await advanceUntil(h, () => h.actor.getSnapshot().matches('exited'), 30_000);
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGKILL']);
    expect(h.context()).toMatchObject({ exitCode: 128, startFailed: true });
    expect(await waited).toMatchObject({ outcome: 'ok', body: { StatusCode: 128, Error: { Message: expect.stringMatching(/never started/) } } });
  });

  it('an execution seen running is not timed out', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    h.actor.send({ type: 'EXECUTION_RUNNING' });
    h.clock.increment(700_000);
    expect(h.status()).toBe('running');
    expect(h.calls).toEqual(['runJob']);
  });

  it('a throttled stop is sent again; the container still exits', async () => {
    const h = startHarness({ cloudErrors: { stopExecution: [throttled] } });
    await h.ask({ type: 'START' });
    const stopped = h.ask({ type: 'STOP' });
    await advanceUntil(h, () => h.actor.getSnapshot().matches('exited'));
    expect(await stopped).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM', 'stopExecution:SIGTERM']);
    expect(h.context().error).toBe('');
  });

  it('a transient delete is retried on removal; a fatal one leaves the container dead with the error', async () => {
    const retried = startHarness({ cloudErrors: { deleteJob: [{ kind: 'transient', message: 'delete job failed: 503' }] } });
    await retried.ask({ type: 'START' });
    retried.exit({ status: 'Succeeded', exitCode: 0 });
    await waitFor(retried.actor, (s) => s.matches('exited'));
    const removed = retried.ask({ type: 'REMOVE', force: false });
    await advanceUntil(retried, () => retried.actor.getSnapshot().status === 'done');
    expect(await removed).toMatchObject({ outcome: 'noContent' });
    expect(retried.calls).toEqual(['runJob', 'deleteJob', 'deleteJob']);

    const failed = startHarness({ cloudErrors: { deleteJob: [{ kind: 'fatal', message: 'delete job failed: 403 AuthorizationFailed' }] } });
    await failed.ask({ type: 'START' });
    failed.exit({ status: 'Succeeded', exitCode: 0 });
    await waitFor(failed.actor, (s) => s.matches('exited'));
    expect(await failed.ask({ type: 'REMOVE', force: false })).toMatchObject({ outcome: 'system', body: { message: expect.stringMatching(/AuthorizationFailed/) } });
    expect(failed.status()).toBe('dead');
  });
});
