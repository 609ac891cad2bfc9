// The container chart as a definition: every state says what it is (the inspector and diagrams/
// show it), the chart reads no clock of its own, and the parts the daemon provides are named
// actions and guards of the chart that fire where the lifecycle says.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor, type AnyStateNode } from 'xstate';
import { containerMachine, FIXED_NOW, type ExecutionOutcome, type Reply, type WatchInput } from '../../machines/container';
import { containerInput, startHarness } from './harness';

const states = (n: AnyStateNode): AnyStateNode[] => Object.values(n.states as Record<string, AnyStateNode>).flatMap((c) => [c, ...states(c)]);

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** A container actor whose doubles record, in order, the daemon-provided actions and Docker events. */
function recorded(opts: { agentLaunches: boolean }) {
  const log: string[] = [];
  let end: ((o: ExecutionOutcome) => void) | undefined;
  const replies = new Map<string, (r: Reply) => void>();
  const machine = containerMachine.provide({
    actors: {
      runJob: fromPromise(async () => ({ jobName: 'sockerless-c0ffee000000', executionName: 'exec-1' })),
      waitForEnd: fromPromise<ExecutionOutcome, WatchInput>(() => new Promise((resolve) => (end = resolve))),
      deleteJob: fromPromise(async () => {}),
    },
    guards: { agentLaunches: () => opts.agentLaunches },
    actions: {
      reply: (_, r) => replies.get(r.rid)?.(r),
      announce: (_, e) => log.push(e.action),
      startWithoutAgent: () => log.push('startWithoutAgent'),
      endAgentLink: () => log.push('endAgentLink'),
      releaseContainer: () => log.push('releaseContainer'),
    },
  });
  const actor = createActor(machine, { input: containerInput() }).start();
  let rid = 0;
  const ask = (event: { type: 'START' } | { type: 'REMOVE'; force: boolean }) => {
    const id = `r${++rid}`;
    const answer = new Promise<Reply>((resolve) => replies.set(id, resolve));
    actor.send({ ...event, rid: id });
    return answer;
  };
  return { actor, log, ask, exit: (o: ExecutionOutcome) => end!(o) };
}

describe('the container chart', () => {
  it('describes every state', () => {
    const missing = states(containerMachine.root).filter((s) => !s.description?.trim()).map((s) => s.id);
    expect(missing).toEqual([]);
    expect(states(containerMachine.root).length).toBeGreaterThan(30);
  });

  it('reads no clock of its own: no new Date() or Date.now() anywhere in machines/', async () => {
    const files = await sources(new URL('../../machines/', import.meta.url).pathname);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toMatch(/new Date\(\s*\)|Date\.now\b/);
    }
  });

  it('alone, stamps StartedAt and FinishedAt with its fixed clock', async () => {
    const c = recorded({ agentLaunches: false });
    await c.ask({ type: 'START' });
    expect(c.actor.getSnapshot().context.startedAt).toBe(new Date(FIXED_NOW()).toISOString());
    c.exit({ status: 'Succeeded', exitCode: 0 });
    await waitFor(c.actor, (s) => s.matches('exited'));
    expect(c.actor.getSnapshot().context.finishedAt).toBe(new Date(FIXED_NOW()).toISOString());
  });

  it('with withClock(now), stamps StartedAt, FinishedAt and a failed probe with that clock', async () => {
    const h = startHarness({ health: { check: { Test: ['CMD', 'check'], Interval: 1e9 }, codes: [1] } });
    h.clock.set(Date.UTC(2031, 4, 6, 7, 8, 9));
    await h.ask({ type: 'START' });
    expect(h.context().startedAt).toBe('2031-05-06T07:08:09.000Z');
    h.clock.increment(1000);
    await waitFor(h.actor, (s) => (s.context.health?.Log.length ?? 0) > 0);
    expect(h.context().health!.Log[0]!.Start).toBe('2031-05-06T07:08:10.000Z');
    h.clock.increment(5000);
    await h.ask({ type: 'STOP' });
    expect(h.context().finishedAt).toBe('2031-05-06T07:08:15.000Z');
  });

  it('without an agent launch, the start says so (startWithoutAgent); with one, it does not', async () => {
    const without = recorded({ agentLaunches: false });
    await without.ask({ type: 'START' });
    expect(without.log).toEqual(['create', 'startWithoutAgent', 'start']);
    const withAgent = recorded({ agentLaunches: true });
    await withAgent.ask({ type: 'START' });
    expect(withAgent.log).toEqual(['create', 'start']);
  });

  it("tears the agent down as named actions: the link before `die`, the container's state before `destroy`", async () => {
    const c = recorded({ agentLaunches: true });
    await c.ask({ type: 'START' });
    c.exit({ status: 'Succeeded', exitCode: 0 });
    await waitFor(c.actor, (s) => s.matches('exited'));
    expect(c.log).toEqual(['create', 'start', 'endAgentLink', 'die']);
    expect((await c.ask({ type: 'REMOVE', force: false })).outcome).toBe('noContent');
    expect(c.log.slice(4)).toEqual(['releaseContainer', 'destroy']);
  });
});
