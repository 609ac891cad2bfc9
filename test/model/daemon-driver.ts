// The real daemon on the embedded simulator, driven through dockerode. The container's process
// waits to be told its exit code, so "the process exits now with N" is a test action; the
// chart's cloud calls are held by the gated cloud until their step.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { waitFor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import type { Healthcheck } from '../../machines/container';
import type { ContainerSnapshot } from '../../src/daemon/daemon';
import type { TestDaemon } from '../helpers/daemon';
import { ActorWatch, until, type Answer, type Driver, type SeenState } from './driver';
import { classify, isRetryableFailure, type InvokeInfo } from './events';
import type { ExitControl } from './exit-control';
import { FakeAgent } from './fake-agent';
import type { GatedCloud } from './gated-cloud';
import type { ManualClock } from '../helpers/manual-clock';

type DockerError = Error & { statusCode?: number; json?: unknown };

const requests = new Set(['START', 'STOP', 'RESTART', 'KILL', 'REMOVE', 'PAUSE', 'UNPAUSE', 'UPDATE', 'RENAME', 'WAIT', 'UNWAIT']);
const cloudCalls = new Set(['runJob', 'startOnSharedJob', 'waitForEnd', 'stopExecution', 'deleteJob']);

/**
 * The events this driver can take: Docker requests, the ends of cloud calls, and the chart's
 * timers, which run on the daemon's chart clock (a ManualClock: a timer fires when the path says,
 * so none races a step); with the agent on, also the agent's events, played by a FakeAgent over
 * the daemon's /agent route. The agent speaks only over a connection (a report needs one, a drop
 * ends one), and while it is connected the daemon hears the execution's end from it, not from ACA.
 * RESUME is what the daemon's restore sends each restored actor.
 */
export function daemonCanTake(machine: AnyStateMachine, agentOn = false): (s: AnyMachineSnapshot, e: EventObject) => boolean {
  return (s, e) => {
    const kind = classify(machine, e);
    const context = s.context as { agentConnected: boolean; processExit: unknown; processStarted: boolean; execution?: { agent?: boolean } };
    // An agent dropped while stopping leaves the chart's agentConnected set (as does the kill
    // grace running out with it connected): the chart and the daemon part ways here, so a path ends.
    if (s.matches({ running: { stopping: 'cloud' } }) && context.agentConnected) return false;
    // A gap of the daemon: its retried runJob mints a new token and the connected agent's link
    // goes quietly, while the chart still counts the agent as connected. Left out until fixed.
    const retryWithAgent = s.matches('starting') && context.agentConnected;
    if (kind.kind === 'timer') return !(retryWithAgent && e.type.includes('operationTimeout'));
    if (kind.kind === 'request') return requests.has(e.type);
    if (kind.kind === 'outcome') {
      // A probe runs through the agent, which the FakeAgent plays (its command's exit code); the
      // daemon's probe never fails as a call (a probe that cannot run is a failed result).
      if (kind.invoke.src === 'probeHealth') return agentOn && kind.ok && context.agentConnected;
      if (!cloudCalls.has(kind.invoke.src)) return false;
      if ((kind.invoke.src === 'runJob' || kind.invoke.src === 'startOnSharedJob') && kind.ok) return !!(e as { output?: { agent?: boolean } }).output?.agent === agentOn;
      if (kind.invoke.src === 'runJob' && retryWithAgent && isRetryableFailure(e)) return false;
      return kind.invoke.src !== 'waitForEnd' || !context.agentConnected;
    }
    if (e.type === 'RESUME') return true;
    // ACA's Running reaches the chart through the watcher of an execution without an agent.
    if (e.type === 'EXECUTION_RUNNING') return !agentOn && s.matches('running') && !s.matches({ running: 'stopping' }) && context.execution?.agent !== true;
    if (!agentOn) return false;
    // While an execution is live: once it ended the daemon closes its agent's link for good.
    const live = s.matches('starting') || s.matches('running');
    // A drop while stopping: only where the chart turns to ACA's stop for it.
    const stopping = s.matches({ running: 'stopping' });
    const dropsToCloud = s.matches({ running: { stopping: 'signalling' } }) || s.matches({ running: { stopping: 'killing' } });
    if (e.type === 'AGENT_CONNECTED') return live && !context.agentConnected && (s.matches('starting') || context.execution?.agent === true);
    if (e.type === 'AGENT_LOST') return live && (!stopping || dropsToCloud) && context.agentConnected;
    if (e.type === 'PROCESS_EXITED') return live && context.agentConnected && context.processExit === null;
    if (e.type === 'PROCESS_STARTED') return live && context.agentConnected && !context.processStarted && context.processExit === null;
    return false;
  };
}

/**
 * The daemon's settings for the model run: no agent (see daemonCanTake). The chart's timers are
 * the ManualClock's; the retry back-off of a millisecond only matters once cleanup frees them.
 */
// Reuse off (the daemon's default is on): the paths take the own-job branch (runJob, deleteJob), which the
// gated cloud holds by job; the shared-job branch runs on the pure machine (lifecycle.model.test.ts).
export const DAEMON_ENV = { SOCKERLESS_AGENT: 'off', SOCKERLESS_CLOUD_RETRY_MS: '1', SOCKERLESS_JOB_REUSE: 'off' };

/** Reuse on: every start on the shape's shared job (startOnSharedJob), held by the container's own job name. */
export const SHARING_DAEMON_ENV = { ...DAEMON_ENV, SOCKERLESS_JOB_REUSE: 'on' };

/** The same with the agent on: the simulator's local agent launch, which the gated cloud swaps for a FakeAgent. */
export const AGENT_DAEMON_ENV = { SOCKERLESS_CLOUD_RETRY_MS: '1', SOCKERLESS_JOB_REUSE: 'off' };

const answer = (p: Promise<unknown>, ok: number): Promise<Answer> =>
  p.then((body) => ({ status: ok, body }), (err: DockerError) => ({ status: err.statusCode ?? 0, body: err.json }));

export class DaemonDriver implements Driver {
  readonly name = 'daemon';
  readonly watch = new ActorWatch();
  readonly #d: TestDaemon;
  readonly #gate: GatedCloud;
  readonly #exits: ExitControl;
  readonly #label: string;
  readonly #events: string[] = [];
  readonly #wakers = new Set<() => void>();
  readonly #waits = new Set<AbortController>();
  #stream: Readable | undefined;
  #unsubscribe = () => {};
  #container: Docker.Container | undefined;
  #jobName = '';
  #renames = 0;

  readonly #restartPolicy: { Name: string; MaximumRetryCount: number };
  #agent: FakeAgent | undefined;
  /** How many times the container entered `starting`: each start launches an agent (again on each runJob try). */
  #starts = 0;

  readonly #clock: ManualClock;
  readonly #healthcheck: Healthcheck | undefined;

  constructor(
    d: TestDaemon, gate: GatedCloud, exits: ExitControl, clock: ManualClock, n: number | string,
    restartPolicy: { Name: string; MaximumRetryCount: number }, healthcheck?: Healthcheck,
  ) {
    this.#d = d;
    this.#clock = clock;
    this.#healthcheck = healthcheck;
    this.#restartPolicy = restartPolicy;
    this.#gate = gate;
    this.#exits = exits;
    this.#label = `path-${n}`;
  }

  async create(): Promise<void> {
    // The chart's timers fire when the path says (cleanup hands them back to real time).
    this.#clock.hold();
    this.#stream = (await this.#d.docker.getEvents({ filters: { label: [`model-path=${this.#label}`] } })) as unknown as Readable;
    let buffered = '';
    this.#stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1)) {
        const e = JSON.parse(buffered.slice(0, i)) as { Action: string; Actor: { Attributes: Record<string, string> } };
        const detail = e.Action === 'kill' ? e.Actor.Attributes.signal : e.Action === 'die' ? e.Actor.Attributes.exitCode : undefined;
        this.#events.push(detail === undefined ? e.Action : `${e.Action}:${detail}`);
      }
      for (const wake of this.#wakers) wake();
    });
    this.#unsubscribe = this.#d.running.inspection.subscribe(this.watch.observe);
    this.#container = await this.#d.docker.createContainer({
      Image: 'alpine',
      Cmd: this.#exits.command(this.#label),
      Labels: { 'model-path': this.#label },
      HostConfig: { RestartPolicy: this.#restartPolicy as Docker.HostRestartPolicy },
      ...(this.#healthcheck && { Healthcheck: this.#healthcheck }),
    });
    this.#jobName = `sockerless-${this.#container.id.slice(0, 12)}`;
    this.#gate.control(this.#jobName);
    const ref = this.#d.running.daemon.find(this.#container.id);
    if (!ref || ref === 'ambiguous') throw new Error('the created container has no actor');
    this.watch.ref = ref;
    let starting = false;
    const counting = ref.subscribe((snapshot) => {
      if (snapshot.matches('starting') && !starting) this.#starts++;
      starting = snapshot.matches('starting');
    });
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = () => (unsubscribe(), counting.unsubscribe());
  }

  request(event: EventObject): Promise<Answer> {
    const c = this.#container!;
    const e = event as EventObject & { signal?: string; force?: boolean; condition?: string };
    switch (e.type) {
      case 'START': return answer(c.start(), 204);
      case 'STOP': return answer(c.stop(), 204);
      case 'RESTART': return answer(c.restart(), 204);
      case 'KILL': return answer(c.kill({ signal: e.signal }), 204);
      case 'REMOVE': return answer(c.remove({ force: e.force }), 204);
      case 'PAUSE': return answer(c.pause(), 204);
      case 'UNPAUSE': return answer(c.unpause(), 204);
      case 'UPDATE': return answer(c.update((e as EventObject & { hostConfig: object }).hostConfig), 200);
      case 'RENAME': return answer(c.rename({ name: `${this.#label}-renamed-${++this.#renames}` }), 204);
      case 'WAIT': {
        const abort = new AbortController();
        this.#waits.add(abort);
        return answer(c.wait({ condition: e.condition as 'not-running' | 'next-exit' | 'removed', abortSignal: abort.signal }), 200).finally(() => this.#waits.delete(abort));
      }
      case 'UNWAIT':
        void this.#unwait();
        return new Promise<Answer>(() => {});
      default:
        throw new Error(`the daemon driver has no request for ${e.type}`);
    }
  }

  /** Clients that stop waiting; with none waiting, one starts and goes away. */
  async #unwait(): Promise<void> {
    if (this.#waits.size === 0) {
      const seen = this.watch.received('WAIT');
      void this.request({ type: 'WAIT', condition: 'removed' } as EventObject);
      await this.watch.untilReceived('WAIT', seen);
    }
    for (const abort of this.#waits) abort.abort();
  }

  async outcome(invoke: InvokeInfo, event: EventObject): Promise<void> {
    const ok = event.type.startsWith('xstate.done.');
    const error = (event as { error?: Error }).error;
    switch (invoke.src) {
      case 'runJob':
      case 'stopExecution':
      case 'deleteJob':
        return this.#gate.settle(this.#jobName, invoke.src, ok ? undefined : error);
      case 'probeHealth':
        return this.#agent!.endExec((event as unknown as { output: { ExitCode: number } }).output.ExitCode);
      case 'startOnSharedJob':
        return this.#gate.settle(this.#jobName, 'startExecution', ok ? undefined : error);
      case 'waitForEnd': {
        const execution = (this.watch.ref!.getSnapshot() as ContainerSnapshot).context.execution!;
        if (!ok) return this.#gate.breakWatch(execution, error!);
        const end = (event as unknown as { output: { status: string; exitCode: number } }).output;
        if (end.status !== 'Stopped') return this.#exits.exit(this.#label, end.exitCode);
        // A stop: the one the chart asked for if it is held, else one from outside the daemon.
        if (this.#gate.holds(this.#jobName, 'stopExecution')) return this.#gate.settle(this.#jobName, 'stopExecution');
        return this.#gate.stopFromOutside(execution);
      }
      default:
        throw new Error(`the daemon driver cannot end a ${invoke.src} call`);
    }
  }

  async environment(kind: 'timer' | 'other', event: EventObject): Promise<void> {
    if (kind === 'timer') return this.#fire(event.type);
    switch (event.type) {
      case 'RESUME':
        this.watch.ref!.send({ type: 'RESUME' });
        return;
      case 'PROCESS_STARTED':
        return this.#agent!.started();
      case 'EXECUTION_RUNNING':
        for (let i = 0; !this.#gate.reportRunning(this.#jobName); i++) {
          if (i === 250) throw new Error('no watcher of the execution asked to hear that it runs');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return;
      case 'AGENT_CONNECTED': {
        // The agent of the current start: its runJob call (which mints the token) may still be on its way.
        for (let i = 0; this.#gate.dialsOf(this.#jobName).length < this.#starts; i++) {
          if (i === 250) throw new Error(`no agent was launched for start ${this.#starts}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const dial = this.#gate.dialsOf(this.#jobName).at(-1)!;
        // A redial after a drop is the same agent (its instance); a new start's agent is a new one.
        if (this.#agent?.token !== dial.token) this.#agent = new FakeAgent(dial);
        return this.#agent.connect();
      }
      case 'AGENT_LOST':
        return this.#agent!.drop();
      case 'PROCESS_EXITED': {
        const { code, signal } = event as EventObject & { code: number; signal?: string };
        return this.#agent!.exit(code, signal);
      }
      default:
        throw new Error(`the daemon driver cannot take ${event.type} (the daemon plan leaves it out)`);
    }
  }

  /**
   * Fires the chart's timers, the earliest due first, until the container actor has received
   * `type`: in every state the timer a path takes is its earliest (the schedule timeout, pending
   * throughout a run, is far the longest), so this fires just that one.
   */
  async #fire(type: string): Promise<void> {
    const seen = this.watch.received(type);
    for (let i = 0; this.watch.received(type) === seen; i++) {
      if (i === 500) throw new Error(`the chart never received ${type} (${this.#clock.pending} timers pending)`);
      // A timer is armed as its state is entered, which may still be on its way.
      if (!this.#clock.fireNext()) await new Promise((resolve) => setTimeout(resolve, 10));
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async inspect(): Promise<SeenState | 'gone'> {
    try {
      const info = await this.#container!.inspect();
      return { ...(info.State as unknown as SeenState), RestartCount: info.RestartCount };
    } catch (err) {
      if ((err as DockerError).statusCode === 404) return 'gone';
      throw err;
    }
  }

  events(): string[] {
    return this.#events;
  }

  untilEvents(count: number): Promise<void> {
    return until(() => this.#events.length >= count, this.#wakers, () => `expected ${count} events, saw ${JSON.stringify(this.#events)}`);
  }

  async cleanup(): Promise<void> {
    const ref = this.watch.ref;
    this.#clock.runFreely();
    this.#agent?.drop();
    this.#gate.release(this.#jobName);
    this.#exits.exit(this.#label, 0);
    for (let i = 0; i < 20 && ref && ref.getSnapshot().status === 'active'; i++) {
      await this.#container!.remove({ force: true }).catch(() => {});
      await waitFor(ref, (s) => s.status !== 'active', { timeout: 500 }).catch(() => {});
    }
    this.#unsubscribe();
    this.#stream?.destroy();
    for (const abort of this.#waits) abort.abort();
    this.#exits.forget(this.#label);
  }
}
