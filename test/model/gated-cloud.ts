// The daemon's cloud, with the calls the container chart invokes held until a test lets each
// one go on or fail. The work itself still happens on the embedded simulator; only its timing
// and, for the failure branches, its outcome are the test's. Jobs not under a test's control
// pass straight through.
import type { Cloud, Execution, ExecutionEnd, JobSpec } from '../../src/aca/cloud';
import type { AgentDial } from './fake-agent';

export type HeldKind = 'runJob' | 'startExecution' | 'stopExecution' | 'deleteJob';

interface Held {
  kind: HeldKind;
  go(): void;
  fail(error: Error): void;
}

interface Gate {
  held: Held[];
  arrivals: Array<() => void>;
  /** Rejects the current waitForEnd, as if the execution could no longer be watched. */
  breakWatch?: (error: Error) => void;
  /** The current waitForEnd's "ACA says Running" callback: the test calls it when the path says. */
  onRunning?: () => void;
}

export class GatedCloud {
  readonly #inner: Cloud;
  readonly #gates = new Map<string, Gate>();
  readonly #dials = new Map<string, AgentDial[]>();
  /** A shared job's executions, by name: the controlled job (the container's own name) each belongs to. */
  readonly #owners = new Map<string, string>();
  readonly cloud: Cloud;

  constructor(inner: Cloud) {
    this.#inner = inner;
    this.cloud = {
      ...inner,
      runJob: (spec, signal) => {
        const sent = this.#withoutAgent(spec);
        return this.#hold(spec.jobName, 'runJob', signal, () => inner.runJob(sent, signal));
      },
      // A start on a shared job (job reuse) is held under the container's own job name.
      startExecution: async (spec, signal) => {
        const owner = ownJobName(spec.containerId);
        const execution = await this.#hold(owner, 'startExecution', signal, () => inner.startExecution(spec, signal));
        if (this.#gates.has(owner)) this.#owners.set(execution.executionName, owner);
        return execution;
      },
      stopExecution: (execution, signal) => this.#hold(this.#ownerOf(execution), 'stopExecution', signal, () => inner.stopExecution(execution, signal)),
      deleteJob: (jobName, signal) => this.#hold(jobName, 'deleteJob', signal, () => inner.deleteJob(jobName, signal)),
      waitForEnd: (execution, signal, onRunning) => this.#watch(execution, signal, onRunning),
    };
  }

  /** The controlled job an execution belongs to: its own job, or the container's on a shared one. */
  #ownerOf(execution: Execution): string {
    return this.#owners.get(execution.executionName) ?? execution.jobName;
  }

  /** Holds every chart-invoked call for this job from now on. */
  control(jobName: string): void {
    this.#gates.set(jobName, { held: [], arrivals: [] });
  }

  /** Lets held and future calls of this job through. */
  release(jobName: string): void {
    const gate = this.#gates.get(jobName);
    this.#gates.delete(jobName);
    for (const h of gate?.held ?? []) h.go();
  }

  /** How the agents of the job's runJob calls so far dial the daemon (URL, container id, token), oldest first. */
  dialsOf(jobName: string): AgentDial[] {
    return this.#dials.get(jobName) ?? [];
  }

  /**
   * A controlled job's agent is the test's (a FakeAgent with the dial kept here): the execution
   * runs the user's command alone, the part after the agent's `--`.
   */
  #withoutAgent(spec: JobSpec): JobSpec {
    const token = spec.secrets?.find((s) => s.name === 'sockerless-agent-token')?.value;
    const callbackUrl = spec.env.find((e) => e.name === 'SOCKERLESS_CALLBACK_URL');
    if (!this.#gates.has(spec.jobName) || token === undefined || !callbackUrl || !('value' in callbackUrl)) return spec;
    this.#dials.set(spec.jobName, [...this.dialsOf(spec.jobName), { callbackUrl: callbackUrl.value, containerId: spec.containerId, token }]);
    const argv = spec.command!.slice(spec.command!.indexOf('--') + 1);
    return { ...spec, command: argv, args: undefined };
  }

  /** Whether a call of this kind is held now. */
  holds(jobName: string, kind: HeldKind): boolean {
    return !!this.#gates.get(jobName)?.held.some((h) => h.kind === kind);
  }

  /** Lets the held call of `kind` go on (waiting for it to arrive), or fails it with `error`. */
  async settle(jobName: string, kind: HeldKind, error?: Error): Promise<void> {
    const gate = this.#gates.get(jobName);
    if (!gate) throw new Error(`job ${jobName} is not under control`);
    let held: Held | undefined;
    for (let tries = 0; !(held = gate.held.find((h) => h.kind === kind)); tries++) {
      if (tries > 0) throw new Error(`no ${kind} call of ${jobName} arrived`);
      await Promise.race([new Promise<void>((resolve) => gate.arrivals.push(resolve)), delay(5_000)]);
    }
    gate.held.splice(gate.held.indexOf(held), 1);
    if (error) held.fail(error);
    else held.go();
  }

  /** Fails the execution's watcher, then ends the execution so no process outlives it. */
  async breakWatch(execution: Execution, error: Error): Promise<void> {
    const gate = this.#gates.get(this.#ownerOf(execution));
    if (!gate?.breakWatch) throw new Error(`no waitForEnd of ${execution.jobName} is running`);
    gate.breakWatch(error);
    await this.#inner.stopExecution(execution);
  }

  /** Ends an execution from outside the daemon (like a stop from the Azure portal). */
  stopFromOutside(execution: Execution): Promise<void> {
    return this.#inner.stopExecution(execution);
  }

  #hold<T>(jobName: string, kind: HeldKind, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const gate = this.#gates.get(jobName);
    if (!gate) return call();
    return new Promise<T>((resolve, reject) => {
      const held: Held = { kind, go: () => void call().then(resolve, reject), fail: reject };
      gate.held.push(held);
      signal?.addEventListener('abort', () => {
        const i = gate.held.indexOf(held);
        if (i >= 0) gate.held.splice(i, 1);
        reject(signal.reason);
      }, { once: true });
      for (const arrived of gate.arrivals.splice(0)) arrived();
    });
  }

  /** ACA reports the execution Running to its current watcher (false: no watcher asked to hear it). */
  reportRunning(jobName: string): boolean {
    const onRunning = this.#gates.get(jobName)?.onRunning;
    onRunning?.();
    return !!onRunning;
  }

  #watch(execution: Execution, signal: AbortSignal, onRunning?: () => void): Promise<ExecutionEnd> {
    const gate = this.#gates.get(this.#ownerOf(execution));
    if (!gate) return this.#inner.waitForEnd(execution, signal, onRunning);
    // Held: the simulator's Running would race the path; the test reports it (reportRunning).
    gate.onRunning = onRunning;
    const inner = new AbortController();
    signal.addEventListener('abort', () => inner.abort(signal.reason), { once: true });
    let breakWatch: Gate['breakWatch'];
    return new Promise<ExecutionEnd>((resolve, reject) => {
      breakWatch = (error) => {
        inner.abort(error);
        reject(error);
      };
      gate.breakWatch = breakWatch;
      this.#inner.waitForEnd(execution, inner.signal).then(resolve, reject);
    }).finally(() => {
      if (gate.breakWatch === breakWatch) gate.breakWatch = undefined;
    });
  }
}

/** The job a container owns (sockerless-<id[:12]>), as the chart names it. */
const ownJobName = (containerId: string) => `sockerless-${containerId.slice(0, 12)}`;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
