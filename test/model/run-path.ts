// Runs one model path on a driver, checking after every step what a Docker user sees against
// the rules: the actor's state, each request's answer, `wait` results, /events, and inspect.
import { expect } from 'vitest';
import { getMicrosteps, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { within, type Answer, type Driver, type SeenState } from './driver';
import { classify } from './events';
import { serialize, type ModelPath } from './plan';
import { DockerRules, dockerStatusOf, phaseOf, type Due, type ExpectedReply, type Phase } from './rules';

const ZERO = '0001-01-01T00:00:00Z';

interface Outstanding {
  what: string;
  expected: ExpectedReply;
  answer: Promise<Answer>;
}

/** Whether entering `phases` (in order, within one step) makes an answer due at `due`. */
function dueNow(due: Due, from: Phase, phases: Phase[]): boolean {
  const seq = [from, ...phases];
  for (let i = 1; i < seq.length; i++) {
    const [a, b] = [seq[i - 1]!, seq[i]!];
    if (a === b) continue;
    if (due === 'running' && (b === 'up' || b === 'dead' || (b === 'exited' && (a === 'starting' || a === 'launching')))) return true;
    if (due === 'exit' && (b === 'exited' || b === 'dead' || b === 'removed')) return true;
    if (due === 'removed' && (b === 'removed' || b === 'dead')) return true;
  }
  return false;
}

/** The status an answer due at `due` gets, given how it came due. */
function dueStatus(o: Outstanding, from: Phase, phases: Phase[], rules: DockerRules, failed: boolean): { status: number; exitCode?: number } {
  const last = phases.find((p) => p === 'up' || p === 'exited' || p === 'dead' || p === 'removed');
  if (o.expected.wait) return { status: 200, exitCode: rules.exitCode };
  // A start that ends without running fails; anything left when the container dies fails.
  if (last === 'dead' && o.expected.due !== 'exit') return { status: 500 };
  // Chart: a run that ended before its agent confirmed the launch did run; its start succeeded.
  if (o.expected.due === 'running' && last === 'exited') return { status: from === 'launching' && !failed ? o.expected.status : 500 };
  return { status: o.expected.status };
}

function healthOf(s: AnyMachineSnapshot): 'healthy' | 'unhealthy' | undefined {
  if (s.matches({ running: { up: { health: 'healthy' } } })) return 'healthy';
  if (s.matches({ running: { up: { health: 'unhealthy' } } })) return 'unhealthy';
  return undefined;
}

function label(e: EventObject): string {
  const { type, rid: _rid, actorId: _a, ...rest } = e as EventObject & Record<string, unknown>;
  const short = type.replace(/^xstate\.(done|error)\.actor\.(.*)$/, (_, k: string, id: string) => `${k}(${id})`);
  const detail = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v instanceof Error ? 'Error' : JSON.stringify(v)}`);
  return detail.length ? `${short}{${detail.join(',')}}` : short;
}

export function describePath(path: ModelPath): string {
  return path.steps.map((s) => label(s.event)).join(' → ') || '(create only)';
}

export async function runPath(machine: AnyStateMachine, initial: AnyMachineSnapshot, path: ModelPath, driver: Driver): Promise<void> {
  const rules = new DockerRules();
  const expectedEvents: string[] = ['create'];
  const outstanding: Outstanding[] = [];
  let prev = initial;
  let last: SeenState | undefined;
  let stepName = 'create';
  try {
    await driver.create();
    await check();
    let timerBaseline = 0;
    for (const [i, step] of path.steps.entries()) {
      // A timer the next step expects runs in real time on the daemon: it may fire before this
      // step is checked, so this step accepts the state after it too, and the timer step counts
      // from before this one.
      const next = path.steps[i + 1];
      const timerNext = next !== undefined && classify(machine, next.event).kind === 'timer';
      stepName = label(step.event);
      const from = phaseOf(prev);
      const microsteps = getMicrosteps(machine, prev, step.event).map(([s]) => s as AnyMachineSnapshot);
      const phases = microsteps.map(phaseOf);
      if (microsteps.some((s) => s.matches({ running: { stopping: 'killing' } }) && !prev.matches({ running: { stopping: 'killing' } }))) rules.killSent();
      const kind = classify(machine, step.event);
      const seen = kind.kind === 'timer' ? timerBaseline : driver.watch.received(step.event.type);
      if (timerNext) timerBaseline = driver.watch.received(next.event.type);

      const agent = (prev.context as { agentConnected?: boolean }).agentConnected === true;
      let immediate: Outstanding | undefined;
      if (kind.kind === 'request') {
        const expected = rules.reply(from, step.event, agent);
        expectedEvents.push(...rules.requested(from, step.event, agent));
        const answer = driver.request(step.event);
        if (expected?.due === 'now') immediate = { what: stepName, expected, answer };
        else if (expected) outstanding.push({ what: stepName, expected, answer });
      } else if (kind.kind === 'outcome') {
        await driver.outcome(kind.invoke, step.event);
      } else {
        await driver.environment(kind.kind, step.event);
      }
      if (step.event.type === 'PROCESS_EXITED') rules.processExited((step.event as unknown as { code: number }).code);
      await driver.watch.untilReceived(step.event.type, seen);
      await driver.watch.untilState(serialize(step.state), timerNext ? serialize(next.state) : undefined);

      const outcome = kind.kind === 'outcome' && kind.invoke.src === 'waitForEnd'
        ? (kind.ok ? { exitCode: (step.event as { output?: { exitCode?: number } }).output?.exitCode } : { failed: true })
        : undefined;
      let at = from;
      let health = healthOf(prev);
      for (const [j, p] of phases.entries()) {
        if (p !== at) expectedEvents.push(...rules.moved(at, p, step.event, outcome));
        at = p;
        // Docker's health_status event, as the container's health changes.
        const now = healthOf(microsteps[j]!);
        if (now && now !== health) expectedEvents.push(`health_status: ${now}`);
        health = now;
      }

      const answered = outstanding.filter((o) => dueNow(o.expected.due, from, phases));
      const checks = answered.map((o) => ({ o, want: dueStatus(o, from, phases, rules, outcome?.failed === true) }));
      if (immediate) checks.unshift({ o: immediate, want: { status: immediate.expected.status, exitCode: immediate.expected.wait ? rules.exitCode : undefined } });
      for (const { o, want } of checks) {
        if (o !== immediate) outstanding.splice(outstanding.indexOf(o), 1);
        const got = await within(o.answer, `${o.what} (${driver.name})`);
        expect(got.status, `${o.what}: HTTP status`).toBe(want.status);
        if (want.exitCode !== undefined) expect((got.body as { StatusCode?: number }).StatusCode, `${o.what}: wait StatusCode`).toBe(want.exitCode);
      }
      prev = step.state;
      await check();
    }
  } catch (err) {
    (err as Error).message = `[${driver.name}] at step ${stepName}: ${(err as Error).message}`;
    throw err;
  } finally {
    await driver.cleanup();
  }

  async function check(): Promise<void> {
    await driver.untilEvents(expectedEvents.length).catch(() => {});
    expect(driver.events(), 'Docker events so far').toEqual(expectedEvents);
    const status = dockerStatusOf(phaseOf(prev));
    const seen = await driver.inspect();
    if (status === 'gone') return void expect(seen, 'inspect after removal').toBe('gone');
    expect(seen, 'inspect').not.toBe('gone');
    const s = seen as SeenState;
    expect({ Status: s.Status, Running: s.Running, Restarting: s.Restarting, Dead: s.Dead, ExitCode: s.ExitCode, RestartCount: s.RestartCount }, 'inspect').toEqual({
      Status: status, Running: status === 'running', Restarting: status === 'restarting', Dead: status === 'dead', ExitCode: rules.exitCode, RestartCount: rules.restartCount,
    });
    // Times only move forward; a running container started after it last finished.
    if (last) {
      expect(s.StartedAt >= last.StartedAt, 'StartedAt never goes back').toBe(true);
      expect(s.FinishedAt >= last.FinishedAt, 'FinishedAt never goes back').toBe(true);
    }
    if (status === 'running') expect(s.StartedAt !== ZERO && s.StartedAt >= s.FinishedAt, 'running: StartedAt set, after FinishedAt').toBe(true);
    if (status === 'exited' && s.StartedAt !== ZERO) expect(s.FinishedAt >= s.StartedAt, 'exited: FinishedAt after StartedAt').toBe(true);
    if (phaseOf(prev) === 'created') expect([s.StartedAt, s.FinishedAt], 'never started').toEqual([ZERO, ZERO]);
    last = s;
  }
}
