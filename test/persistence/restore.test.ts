// Restoring container actors from the store: each in-flight state resumes the way it should.
// "A crash" here is the store closed at that point: what a killed process leaves behind is
// exactly what was committed, and nothing is written after the actors are let go.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import type { ContainerSnapshot } from '../../src/daemon/daemon';
import { Daemon } from '../../src/daemon/daemon';
import { openPersistedState, type PersistedState } from '../../src/daemon/persisted-state';
import { reconcile } from '../../src/daemon/reconcile';
import { createLogger } from '../../src/log';
import { containerInput } from '../machines/harness';
import { FakeCloud } from './fake-cloud';

const logger = createLogger('silent');
let dir: string;
let open: Array<{ state: PersistedState; daemon: Daemon }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockerless-restore-'));
});
afterEach(() => {
  for (const { state, daemon } of open) crash(state, daemon);
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

function boot(cloud: FakeCloud): { state: PersistedState; daemon: Daemon } {
  const state = openPersistedState({ dataRoot: dir, enabled: true, logger });
  const daemon = state.restore(() => new Daemon({
    cloud,
    ...state.daemon(cloud),
    events: state.events,
    inspect: state.inspect(),
    image: (_id, asGiven) => ({ reference: asGiven, env: [] }),
    jobDefaults: { cpu: 1, memory: '2Gi', replicaTimeout: 600 },
    agent: { launch: { kind: 'off' }, callbackUrl: () => undefined, heartbeatMs: 5_000, agentWaitMs: 1_000, liveLogBytes: 1024 },
  }));
  open.push({ state, daemon });
  return { state, daemon };
}

/** Nothing more reaches the store, and the actors are let go: what is on disk is what a kill -9 leaves. */
function crash(state: PersistedState, daemon: Daemon): void {
  state.pause();
  daemon.stop();
  state.close();
  open = open.filter((o) => o.daemon !== daemon);
}

const id = (n: number) => `${n}`.padStart(2, '0').padEnd(64, 'f');
const ref = (daemon: Daemon, cid: string) => {
  const found = daemon.find(cid);
  if (!found || found === 'ambiguous') throw new Error(`no container ${cid}`);
  return found;
};
const settled = (daemon: Daemon, cid: string, state: string) => waitFor(ref(daemon, cid), (s) => (s as ContainerSnapshot).matches(state as never));

async function created(daemon: Daemon, n: number) {
  const input = containerInput({ id: id(n), name: `/c${n}` });
  expect((await daemon.create(input)).outcome).toBe('created');
  return input.id;
}

describe('restoring container actors', () => {
  it('brings back a created container with its name, config and the events it announced', async () => {
    const first = boot(new FakeCloud());
    const cid = await created(first.daemon, 1);
    await first.daemon.rename(cid, '/renamed');
    const before = ref(first.daemon, cid).getSnapshot().context;
    crash(first.state, first.daemon);

    const second = boot(new FakeCloud());
    const after = ref(second.daemon, '/renamed').getSnapshot();
    expect(after.value).toBe('created');
    expect(after.context).toEqual(before);
    expect(second.daemon.nameTaken('/renamed')).toBe(true);
    expect(second.daemon.events.past().map((e) => e.Action)).toEqual(['create', 'rename']);
  });

  it('re-checks the execution of a running container, and drops requests that were in flight', async () => {
    const cloud = new FakeCloud();
    const first = boot(cloud);
    const cid = await created(first.daemon, 2);
    await first.daemon.ask(ref(first.daemon, cid), { type: 'START' });
    void first.daemon.ask(ref(first.daemon, cid), { type: 'WAIT', condition: 'not-running' });
    const execution = ref(first.daemon, cid).getSnapshot().context.execution!;
    crash(first.state, first.daemon);

    const again = new FakeCloud();
    const second = boot(again);
    const restored = ref(second.daemon, cid).getSnapshot();
    expect(restored.value).toEqual({ running: { up: { health: 'none', probe: 'off' } } });
    expect(restored.context).toMatchObject({ waits: [], replies: [], execution });
    expect(again.calls).toEqual([{ call: 'waitForEnd', target: execution.executionName }]);
    const answer = second.daemon.ask(ref(second.daemon, cid), { type: 'WAIT', condition: 'not-running' });
    again.end(execution.executionName, { status: 'Failed', exitCode: 3 });
    expect((await answer).body).toEqual({ StatusCode: 3, Error: null });
  });

  it('shows a running container whose job vanished while the daemon was down as exited, saying why', async () => {
    const first = boot(new FakeCloud());
    const cid = await created(first.daemon, 8);
    await first.daemon.ask(ref(first.daemon, cid), { type: 'START' });
    const execution = ref(first.daemon, cid).getSnapshot().context.execution!;
    crash(first.state, first.daemon);

    const again = new FakeCloud();
    const second = boot(again);
    const message = `execution ${execution.executionName} of job ${execution.jobName} vanished (404 from ACA)`;
    again.end(execution.executionName, { status: 'Failed', reason: 'NotFound', message });
    await settled(second.daemon, cid, 'exited');
    expect(ref(second.daemon, cid).getSnapshot().context).toMatchObject({ exitCode: 1, error: message });
  });

  it('adopts the execution an interrupted start had begun instead of starting another', async () => {
    const cloud = new FakeCloud();
    cloud.held.add('runJob');
    const first = boot(cloud);
    const cid = await created(first.daemon, 3);
    void first.daemon.ask(ref(first.daemon, cid), { type: 'START' });
    expect(ref(first.daemon, cid).getSnapshot().matches('starting')).toBe(true);
    crash(first.state, first.daemon);

    const again = new FakeCloud();
    const jobName = `sockerless-${cid.slice(0, 12)}`;
    again.executions.set(jobName, [{ executionName: `${jobName}-began`, status: 'Running', envNames: [] }]);
    const second = boot(again);
    await settled(second.daemon, cid, 'running');
    expect(ref(second.daemon, cid).getSnapshot().context.execution).toEqual({ jobName, executionName: `${jobName}-began`, agent: false });
    expect(again.calls.map((c) => c.call)).toEqual(['waitForEnd']);
  });

  it('starts afresh when the interrupted start had not begun an execution', async () => {
    const cloud = new FakeCloud();
    cloud.held.add('runJob');
    const first = boot(cloud);
    const cid = await created(first.daemon, 4);
    void first.daemon.ask(ref(first.daemon, cid), { type: 'START' });
    crash(first.state, first.daemon);

    const again = new FakeCloud();
    const second = boot(again);
    await settled(second.daemon, cid, 'running');
    expect(again.calls.map((c) => c.call)).toEqual(['runJob', 'waitForEnd']);
  });

  it('finishes removing a container whose removal was under way', async () => {
    const cloud = new FakeCloud();
    const first = boot(cloud);
    const cid = await created(first.daemon, 5);
    await first.daemon.ask(ref(first.daemon, cid), { type: 'START' });
    const execution = ref(first.daemon, cid).getSnapshot().context.execution!;
    cloud.end(execution.executionName, { status: 'Succeeded', exitCode: 0 });
    await settled(first.daemon, cid, 'exited');
    cloud.held.add('deleteJob');
    void first.daemon.ask(ref(first.daemon, cid), { type: 'REMOVE', force: false });
    expect(ref(first.daemon, cid).getSnapshot().matches('removing')).toBe(true);
    crash(first.state, first.daemon);

    const again = new FakeCloud();
    const second = boot(again);
    const actor = ref(second.daemon, cid);
    await waitFor(actor, (s) => s.status === 'done');
    expect(again.calls).toEqual([{ call: 'deleteJob', target: `sockerless-${cid.slice(0, 12)}` }]);
    expect(second.daemon.find(cid)).toBeUndefined();
    crash(second.state, second.daemon);
    const third = boot(new FakeCloud());
    expect(third.daemon.containers()).toEqual([]);
    expect(third.daemon.events.past().map((e) => e.Action)).toContain('destroy');
  });

  it('shows a container whose stored state the chart no longer knows as dead, saying why', async () => {
    const first = boot(new FakeCloud());
    const cid = await created(first.daemon, 6);
    crash(first.state, first.daemon);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'sockerless.db'));
    const row = db.prepare('SELECT snapshot FROM snapshots WHERE id = ?').get(cid) as { snapshot: string };
    db.prepare('UPDATE snapshots SET snapshot = ? WHERE id = ?').run(row.snapshot.replace('"value":"created"', '"value":"hibernating"'), cid);
    db.close();

    const second = boot(new FakeCloud());
    const snapshot = ref(second.daemon, cid).getSnapshot();
    expect(snapshot.value).toBe('dead');
    expect(snapshot.context.error).toMatch(/could not restore .*hibernating/);
    expect(snapshot.context.name).toBe('/c6');
  });
});

describe('reconciliation', () => {
  it('deletes only this instance\'s jobs that no container owns', async () => {
    const cloud = new FakeCloud();
    const { state, daemon } = boot(cloud);
    const mine = await created(daemon, 7);
    cloud.jobs = [
      { jobName: 'sockerless-mine', containerId: mine, instanceId: state.instanceId },
      { jobName: 'sockerless-orphan', containerId: id(99), instanceId: state.instanceId },
      { jobName: 'sockerless-other', containerId: id(98), instanceId: 'another-daemon' },
      { jobName: 'sockerless-untagged', containerId: id(97) },
    ];
    const report = await reconcile({ cloud, instanceId: state.instanceId, knows: (c) => daemon.find(c) !== undefined, logger });
    expect(report).toEqual({ seen: 2, idle: [], orphans: ['sockerless-orphan'], untagged: ['sockerless-untagged'] });
    expect(cloud.jobs.map((j) => j.jobName)).toEqual(['sockerless-mine', 'sockerless-other', 'sockerless-untagged']);
  });
});
