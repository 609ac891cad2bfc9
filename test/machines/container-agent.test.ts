// Lifecycle rules that change when the in-job agent is connected (issue 3), on in-memory doubles.
import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { startHarness } from './harness';

const exitOnTerm = (signal: string) => (signal === 'SIGKILL' ? { code: 137, signal } : signal === 'SIGTERM' ? { code: 143, signal } : undefined);
const ignoreTerm = (signal: string) => (signal === 'SIGKILL' ? { code: 137, signal } : undefined);

describe('container machine with an agent', () => {
  it('knows whether the agent is connected, and forgets it when the agent is lost', async () => {
    const h = startHarness({ agent: {} });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    h.actor.send({ type: 'AGENT_LOST' });
    expect(h.context().agentConnected).toBe(false);
    expect(h.status()).toBe('running');
  });

  it("the agent's exit code wins and ends the container at once, without waiting for ACA (rule 5)", async () => {
    const h = startHarness({ agent: {} });
    await h.ask({ type: 'START' });
    const exited = h.ask({ type: 'WAIT', condition: 'next-exit' });
    h.actor.send({ type: 'PROCESS_EXITED', code: 3 });
    expect(await exited).toMatchObject({ outcome: 'ok', body: { StatusCode: 3 } });
    expect(h.status()).toBe('exited');
    expect(h.events).toEqual(['create', 'start', 'die']);
  });

  it('a process that ends before the start operation returns: start answers 204, then the exit', async () => {
    const h = startHarness();
    const start = h.ask({ type: 'START' });
    h.actor.send({ type: 'AGENT_CONNECTED' });
    h.actor.send({ type: 'PROCESS_EXITED', code: 0 });
    expect(await start).toMatchObject({ outcome: 'noContent' });
    await waitFor(h.actor, (s) => s.matches('exited'));
    expect(h.context().exitCode).toBe(0);
    expect(h.events).toEqual(['create', 'start', 'die']);
  });

  it("a command that cannot run: start answers 400 with runc's reason, kept as State.Error; the wait answer has no Error", async () => {
    const reason = 'exec: "nosuch": executable file not found in $PATH';
    const h = startHarness({ agent: { cannotRun: { code: 127, error: reason } } });
    const exited = h.ask({ type: 'WAIT', condition: 'next-exit' });
    const start = await h.ask({ type: 'START' });
    expect(start.outcome).toBe('invalidParameter');
    expect((start.body as { message: string }).message).toMatch(/^failed to create task for container: .*exec: "nosuch": executable file not found in \$PATH: unknown$/);
    expect(await exited).toMatchObject({ body: { StatusCode: 127, Error: null } });
    expect(h.context()).toMatchObject({ exitCode: 127, processExit: { error: reason } });
    expect(h.context().error).toContain(reason);
    // dockerd's `created`: nothing ever ran (StartedAt stays zero).
    expect(h.status()).toBe('created');
    expect(h.context().startedAt).toBe('0001-01-01T00:00:00Z');
    // A later start fails the same way.
    expect(await h.ask({ type: 'START' })).toMatchObject({ outcome: 'invalidParameter' });
  });

  it('start with an agent answers once the agent says the command runs', async () => {
    const h = startHarness({ agent: { dialsLater: true } });
    let answered = false;
    const start = h.ask({ type: 'START' }).then((r) => ((answered = true), r));
    await waitFor(h.actor, (s) => s.matches({ running: 'launching' }));
    await Promise.resolve();
    expect(answered).toBe(false);
    h.actor.send({ type: 'AGENT_CONNECTED' });
    h.actor.send({ type: 'PROCESS_STARTED' });
    expect(await start).toMatchObject({ outcome: 'noContent' });
    expect(h.events).toEqual(['create', 'start']);
  });

  it('stop sends SIGTERM through the agent; a process that exits on it ends with 143 and no ACA stop', async () => {
    const h = startHarness({ agent: { onSignal: exitOnTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'STOP', timeout: 1 })).toMatchObject({ outcome: 'noContent' });
    expect(h.signals).toEqual(['SIGTERM']);
    expect(h.context().exitCode).toBe(143);
    expect(h.calls).toEqual(['runJob']);
    expect(h.events).toEqual(['create', 'start', 'kill', 'die', 'stop']);
  });

  it('stop -t N on a process that ignores SIGTERM: SIGKILL through the agent after N s, exit 137', async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    const stop = h.ask({ type: 'STOP', timeout: 1 });
    await waitFor(h.actor, (s) => s.matches({ running: { stopping: 'signalling' } }));
    expect(h.signals).toEqual(['SIGTERM']);
    h.clock.increment(999);
    expect(h.signals).toEqual(['SIGTERM']);
    h.clock.increment(1);
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(h.context().exitCode).toBe(137);
    expect(h.calls).toEqual(['runJob']);
  });

  it("the stop timeout defaults to the container's StopTimeout", async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm }, stopTimeout: 5 });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    void h.ask({ type: 'STOP' });
    h.clock.increment(4999);
    expect(h.signals).toEqual(['SIGTERM']);
    h.clock.increment(1);
    expect(h.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('when SIGKILL through the agent does not end the process, ACA stop is the backstop', async () => {
    const h = startHarness({ agent: { onSignal: () => undefined } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    const stop = h.ask({ type: 'STOP', timeout: 0 });
    h.clock.increment(0);
    await waitFor(h.actor, (s) => s.matches({ running: { stopping: 'killing' } }));
    h.clock.increment(2000);
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGKILL']);
    expect(h.context().exitCode).toBe(137);
  });

  it('an agent lost while stopping hands the stop to ACA', async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    const stop = h.ask({ type: 'STOP', timeout: 30 });
    h.actor.send({ type: 'AGENT_LOST' });
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM']);
  });

  it('kill -s HUP through the agent delivers the signal and leaves the container running', async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'KILL', signal: 'SIGHUP' })).toMatchObject({ outcome: 'noContent' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGUSR1' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('running');
    expect(h.signals).toEqual(['SIGHUP', 'SIGUSR1']);
    expect(h.calls).toEqual(['runJob']);
    expect(h.events).toEqual(['create', 'start', 'kill', 'kill']);
  });

  it('kill -s TERM through the agent: the process decides; here it dies, with 143', async () => {
    const h = startHarness({ agent: { onSignal: exitOnTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'KILL', signal: 'SIGTERM' })).toMatchObject({ outcome: 'noContent' });
    await waitFor(h.actor, (s) => s.matches('exited'));
    expect(h.context().exitCode).toBe(143);
  });

  it('kill (SIGKILL) through the agent answers once exited, with 137', async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'KILL', signal: 'SIGKILL' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('exited');
    expect(h.signals).toEqual(['SIGKILL']);
    expect(h.context().exitCode).toBe(137);
    expect(h.calls).toEqual(['runJob']);
  });

  it('kill -s HUP without an agent keeps the old rule: ACA stops the execution', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    expect(await h.ask({ type: 'KILL', signal: 'SIGHUP' })).toMatchObject({ outcome: 'noContent' });
    expect(h.status()).toBe('exited');
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGHUP']);
    expect(h.signals).toEqual([]);
  });

  it('force remove of a running container kills through the agent, then deletes the job', async () => {
    const h = startHarness({ agent: { onSignal: ignoreTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'REMOVE', force: true })).toMatchObject({ outcome: 'noContent' });
    expect(h.signals).toEqual(['SIGKILL']);
    expect(h.calls).toEqual(['runJob', 'deleteJob']);
  });

  it('restart through the agent: SIGTERM, then a new execution with the agent state reset', async () => {
    const h = startHarness({ agent: { onSignal: exitOnTerm } });
    await h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.context.agentConnected);
    expect(await h.ask({ type: 'RESTART', timeout: 1 })).toMatchObject({ outcome: 'noContent' });
    expect(h.context()).toMatchObject({ processExit: null, execution: { executionName: 'exec-2' } });
    expect(h.calls).toEqual(['runJob', 'deleteJob', 'runJob']);
  });

  it('an exit the agent reported wins over the code ACA reports later', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    h.actor.send({ type: 'PROCESS_EXITED', code: 42 });
    expect(h.context().exitCode).toBe(42);
    expect(h.status()).toBe('exited');
  });

  it('a stop before the expected agent has dialled waits for it, then signals through it', async () => {
    const h = startHarness({ agent: { onSignal: exitOnTerm, dialsLater: true } });
    // Start answers once the agent reports the command running; the stop comes before that.
    const start = h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.matches({ running: 'launching' }));
    const stop = h.ask({ type: 'STOP', timeout: 1 });
    expect(h.signals).toEqual([]);
    h.actor.send({ type: 'AGENT_CONNECTED' });
    h.actor.send({ type: 'PROCESS_STARTED' });
    expect(await start).toMatchObject({ outcome: 'noContent' });
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.signals).toEqual(['SIGTERM']);
    expect(h.calls).toEqual(['runJob']);
  });

  it('a stop whose expected agent never dials falls back to ACA after the waits', async () => {
    const h = startHarness({ agent: { dialsLater: true } });
    const start = h.ask({ type: 'START' });
    await waitFor(h.actor, (s) => s.matches({ running: 'launching' }));
    const stop = h.ask({ type: 'STOP' });
    // The launch wait ends (start answers), then the stop's own wait for the agent.
    h.clock.increment(10_000);
    expect(await start).toMatchObject({ outcome: 'noContent' });
    await waitFor(h.actor, (s) => s.matches({ running: { stopping: 'awaitingAgent' } }));
    h.clock.increment(10_000);
    expect(await stop).toMatchObject({ outcome: 'noContent' });
    expect(h.calls).toEqual(['runJob', 'stopExecution:SIGTERM']);
  });
});
