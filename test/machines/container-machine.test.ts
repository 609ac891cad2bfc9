import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { startHarness } from './harness';

describe('container machine: lifecycle rules on in-memory doubles', () => {
  it('create → start → running, then a second start answers 304 (rule 1)', async () => {
    const h = startHarness();
    expect(h.status()).toBe('created');
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('running');
    expect(h.context().execution?.executionName).toBe('exec-1');
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'notModified' });
    expect(h.events).toEqual(['create', 'start']);
  });

  it('stop on created and on exited answers 304; kill on a stopped container answers 409 (rule 1)', async () => {
    const h = startHarness();
    expect(await h.ask({ type: 'STOP' })).toMatchObject({ outcome: 'notModified' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGKILL' })).toMatchObject({ outcome: 'conflict' });
    await h.ask({ type: 'START' });
    h.exit({ status: 'Succeeded', exitCode: 0 });
    await waitFor(h.actor, (s) => s.matches('exited'));
    expect(await h.ask({ type: 'STOP' })).toMatchObject({ outcome: 'notModified' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGTERM' })).toMatchObject({ outcome: 'conflict', body: { message: 'container is not running' } });
  });

  it('stop answers once exited, with 143 and kill/die/stop events (rule 5, 6)', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'STOP' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('exited');
    expect(h.context().exitCode).toBe(143);
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM']);
    expect(h.events).toEqual(['create', 'start', 'kill', 'die', 'stop']);
  });

  it('a process that handles SIGTERM keeps its own exit code (rule 5)', async () => {
    const h = startHarness({ stoppedCode: 0 });
    await h.ask({ type: 'START' });
    await h.ask({ type: 'STOP' });
    expect(h.context().exitCode).toBe(0);
  });

  it('kill with SIGKILL gives 137 whatever ACA reports (rule 5)', async () => {
    const h = startHarness({ stoppedCode: 143 });
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGKILL' })).toMatchObject({ outcome: 'noContent' });
    expect(h.context().exitCode).toBe(137);
    expect(h.events).toEqual(['create', 'start', 'kill', 'die']);
  });

  it('execution status without a code: Succeeded → 0, Failed → 1 (rule 5)', async () => {
    const ok = startHarness();
    await ok.ask({ type: 'START' });
    ok.exit({ status: 'Succeeded' });
    await waitFor(ok.actor, (s) => s.matches('exited'));
    expect(ok.context().exitCode).toBe(0);
    const bad = startHarness();
    await bad.ask({ type: 'START' });
    bad.exit({ status: 'Failed' });
    await waitFor(bad.actor, (s) => s.matches('exited'));
    expect(bad.context().exitCode).toBe(1);
  });

  it('remove of a running container: 409 without force, kill + delete with force (rule 2)', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'REMOVE', force: false })).toMatchObject({ outcome: 'conflict' });
    expect(h.status()).toBe('running');
    expect(await h.ask({ type: 'REMOVE', force: true })).toMatchObject({ outcome: 'noContent' });
    expect(h.actor.getSnapshot().status).toBe('done');
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGKILL', 'deleteJob']);
    expect(h.events).toEqual(['create', 'start', 'kill', 'die', 'destroy']);
  });

  it('remove of a never-started container deletes no job', async () => {
    const h = startHarness();
    expect(await h.ask({ type: 'REMOVE', force: false })).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual([]);
    expect(h.events).toEqual(['create', 'destroy']);
  });

  it('restart from running: stop, delete the old job, new job + execution, ends running (rule 3)', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'RESTART' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('running');
    expect(h.context().execution?.executionName).toBe('exec-2');
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM', 'deleteJob', 'runJob']);
    expect(h.events).toEqual(['create', 'start', 'kill', 'die', 'stop', 'start', 'restart']);
    expect(h.context().restartCount).toBe(0); // manual restarts are not policy restarts
  });

  it('restart from exited deletes the old job and runs again (rule 3)', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    h.exit({ status: 'Failed', exitCode: 2 });
    await waitFor(h.actor, (s) => s.matches('exited'));
    expect(await h.ask({ type: 'RESTART' })).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'deleteJob', 'runJob']);
    expect(h.status()).toBe('running');
  });

  it('wait: not-running answers at once on a stopped container, next-exit and removed at those moments (rule 4)', async () => {
    const h = startHarness();
    expect(await h.ask({ type: 'WAIT', condition: 'not-running' })).toMatchObject({ outcome: 'ok', body: { StatusCode: 0, Error: null } });
    await h.ask({ type: 'START' });
    const nextExit = h.ask({ type: 'WAIT', condition: 'next-exit' });
    const removed = h.ask({ type: 'WAIT', condition: 'removed' });
    let removedDone = false;
    void removed.then(() => (removedDone = true));
    h.exit({ status: 'Failed', exitCode: 3 });
    expect(await nextExit).toMatchObject({ outcome: 'ok', body: { StatusCode: 3 } });
    expect(removedDone).toBe(false);
    await h.ask({ type: 'REMOVE', force: false });
    expect(await removed).toMatchObject({ outcome: 'ok', body: { StatusCode: 3 } });
  });

  it('auto-remove: the container removes itself after it exits, waiters for removal get the code', async () => {
    const h = startHarness({ autoRemove: true });
    const removed = h.ask({ type: 'WAIT', condition: 'removed' });
    await h.ask({ type: 'START' });
    h.exit({ status: 'Succeeded', exitCode: 0 });
    expect(await removed).toMatchObject({ outcome: 'ok', body: { StatusCode: 0 } });
    expect(h.calls).toEqual(['runJob', 'deleteJob']);
    expect(h.events).toEqual(['create', 'start', 'die', 'destroy']);
  });

  it('a failed start answers the start with the cloud error and leaves the container exited with State.Error', async () => {
    const h = startHarness({ failStart: 'QuotaExceeded: no capacity' });
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'system', body: { message: 'QuotaExceeded: no capacity' } });
    expect(h.status()).toBe('exited');
    expect(h.context().error).toBe('QuotaExceeded: no capacity');
    expect(h.context().exitCode).toBe(128);
  });

  it('stop while starting is held until the execution runs, then stops it', async () => {
    const h = startHarness();
    const start = h.ask({ type: 'START' });
    const stop = h.ask({ type: 'STOP' });
    expect(await start).toMatchObject({ outcome: 'noContent' });
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('exited');
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM']);
  });

  it('pause and unpause answer 501 in every state (rule 8)', async () => {
    const h = startHarness();
    expect(await h.ask({ type: 'PAUSE' })).toMatchObject({ outcome: 'notImplemented' });
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'UNPAUSE' })).toMatchObject({ outcome: 'notImplemented' });
  });

  it('rename changes the name and announces it', async () => {
    const h = startHarness();
    h.actor.send({ type: 'RENAME', name: '/other' });
    expect(h.context().name).toBe('/other');
    expect(h.events).toEqual(['create', 'rename']);
  });
});
