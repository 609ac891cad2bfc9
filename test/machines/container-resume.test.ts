// RESUME: a container actor restored from a persisted snapshot re-arms the timers of its state
// (timers do not survive a daemon restart; without RESUME the state would wait for ever).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, type Snapshot } from 'xstate';
import { containerMachine, type ContainerContext, type ExecutionOutcome, type ExecutionRef, type WatchInput } from '../../machines/container';
import { containerInput } from './harness';

const machine = containerMachine.provide({
  actors: {
    runJob: fromPromise<ExecutionRef, ContainerContext>(async () => ({ jobName: 'sockerless-job', executionName: 'exec-1', agent: true })),
    waitForEnd: fromPromise<ExecutionOutcome, WatchInput>(() => new Promise(() => {})),
    stopExecution: fromPromise<void, { execution: ExecutionRef; signal: string }>(() => new Promise(() => {})),
    deleteJob: fromPromise<void, { jobName: string }>(async () => {}),
  },
});

/** The actor as a restarted daemon gets it back: from its persisted snapshot, not its timers. */
function restored(actor: ReturnType<typeof createActor<typeof machine>>) {
  const persisted = actor.getPersistedSnapshot() as Snapshot<unknown>;
  actor.stop();
  return createActor(machine, { input: containerInput(), snapshot: JSON.parse(JSON.stringify(persisted)) as typeof persisted }).start();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RESUME after a restore', () => {
  it('re-arms the stop grace of a container being signalled', async () => {
    const actor = createActor(machine, { input: containerInput() }).start();
    actor.send({ type: 'START', rid: 'r1' });
    await vi.advanceTimersByTimeAsync(0);
    actor.send({ type: 'AGENT_CONNECTED' });
    actor.send({ type: 'PROCESS_STARTED' });
    actor.send({ type: 'STOP', rid: 'r2', timeout: 5 });
    expect(actor.getSnapshot().value).toEqual({ running: { stopping: 'signalling' } });

    const back = restored(actor);
    await vi.advanceTimersByTimeAsync(60_000);
    // The grace's timer went with the old process.
    expect(back.getSnapshot().value).toEqual({ running: { stopping: 'signalling' } });
    back.send({ type: 'RESUME' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(back.getSnapshot().value).toEqual({ running: { stopping: 'killing' } });
  });

  it('starts the restart back-off over', async () => {
    let runs = 0;
    const ending = containerMachine.provide({
      actors: {
        runJob: fromPromise<ExecutionRef, ContainerContext>(async () => ({ jobName: 'sockerless-job', executionName: `exec-${++runs}` })),
        waitForEnd: fromPromise<ExecutionOutcome, WatchInput>(async () => ({ status: 'Failed', exitCode: 1 })),
        stopExecution: fromPromise<void, { execution: ExecutionRef; signal: string }>(async () => {}),
        deleteJob: fromPromise<void, { jobName: string }>(async () => {}),
      },
    });
    const input = containerInput({ hostConfig: { AutoRemove: false, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 }, NetworkMode: 'default' } });
    const actor = createActor(ending, { input }).start();
    actor.send({ type: 'START', rid: 'r1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ exited: 'backoff' });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as Snapshot<unknown>;
    actor.stop();

    // The input is not used: a snapshot carries its own context.
    const back = createActor(ending, { input, snapshot: persisted }).start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(back.getSnapshot().value).toEqual({ exited: 'backoff' });
    expect(runs).toBe(1);
    back.send({ type: 'RESUME' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBeGreaterThan(1);
    back.stop();
  });
});
