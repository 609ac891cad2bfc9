// A container actor on in-memory cloud doubles: fast, pure checks of the lifecycle rules.
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import {
  dockerStatus, withClock, type ContainerInput, type ExecutionOutcome, type ExecutionRef, type HostConfig, type ProcessExit, type Reply, type WatchInput,
  type Healthcheck, type HealthResult,
} from '../../machines/container';

export interface HarnessOptions {
  failStart?: string;
  autoRemove?: boolean;
  /** Exit code the double reports when asked to stop (what the process chose). */
  stoppedCode?: number;
  /**
   * An in-job agent double: connects as soon as the execution starts. `onSignal` is how the
   * process answers a signal delivered through it (an exit, or nothing when it ignores it).
   */
  agent?: { onSignal?: (signal: string) => ProcessExit | undefined; dialsLater?: boolean; cannotRun?: ProcessExit };
  stopTimeout?: number;
  restartPolicy?: HostConfig['RestartPolicy'];
  /** Classified cloud failures (as src/aca/errors.ts makes them) the next calls of each operation throw, in order. */
  cloudErrors?: Partial<Record<'runJob' | 'stopExecution' | 'deleteJob', Array<{ kind: string; message: string }>>>;
  /** runJob never settles (an ARM operation that stays InProgress). */
  hangStart?: boolean;
  /** deleteJob never settles. */
  hangDelete?: boolean;
  /** A health check in the config, and the exit codes its probes give, in order (then 0). */
  health?: { check: Healthcheck; codes: number[] };
}

/** Throws the next queued failure of `operation`, if any. */
function failNext(opts: HarnessOptions, operation: keyof NonNullable<HarnessOptions['cloudErrors']>): void {
  const next = opts.cloudErrors?.[operation]?.shift();
  if (next) throw Object.assign(new Error(next.message), { kind: next.kind });
}

export function containerInput(overrides: Partial<ContainerInput> = {}): ContainerInput {
  return {
    id: 'c0ffee'.padEnd(64, '0'),
    name: '/test',
    created: new Date().toISOString(),
    imageId: 'sha256:' + 'a'.repeat(64),
    config: {
      Hostname: 'c0ffee000000', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true,
      Tty: false, OpenStdin: false, StdinOnce: false, Env: [], Cmd: ['sleep', '30'], Entrypoint: null, Image: 'alpine',
      WorkingDir: '', Labels: {}, ExposedPorts: null,
    },
    hostConfig: { AutoRemove: false, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, NetworkMode: 'default' },
    ...overrides,
  };
}

export function startHarness(opts: HarnessOptions = {}) {
  const calls: string[] = [];
  const events: string[] = [];
  const replies = new Map<string, (r: Reply) => void>();
  /** Signals delivered through the agent double. */
  const signals: string[] = [];
  const clock = new SimulatedClock();
  const running = new Map<string, (o: ExecutionOutcome) => void>();
  let executions = 0;
  let failStart = opts.failStart;
  let rids = 0;

  // One simulated clock for the chart's timers and its timestamps (StartedAt, FinishedAt, probes).
  const machine = withClock(() => clock.now()).provide({
    actors: {
      runJob: fromPromise(async (): Promise<ExecutionRef> => {
        calls.push('runJob');
        if (failStart) throw new Error(failStart);
        failNext(opts, 'runJob');
        if (opts.hangStart) await new Promise(() => {});
        return { jobName: 'sockerless-c0ffee000000', executionName: `exec-${++executions}`, agent: !!opts.agent };
      }),
      waitForEnd: fromPromise<ExecutionOutcome, WatchInput>(
        ({ input }) => new Promise((resolve) => running.set(input.executionName, resolve)),
      ),
      stopExecution: fromPromise<void, { execution: ExecutionRef; signal: string }>(async ({ input }) => {
        calls.push(`stopExecution:${input.signal}`);
        failNext(opts, 'stopExecution');
        running.get(input.execution.executionName)?.({ status: 'Stopped', exitCode: opts.stoppedCode ?? 143 });
      }),
      deleteJob: fromPromise(async () => {
        calls.push('deleteJob');
        failNext(opts, 'deleteJob');
        if (opts.hangDelete) await new Promise(() => {});
      }),
      probeHealth: fromPromise(async (): Promise<HealthResult> => {
        calls.push('probeHealth');
        const now = new Date(clock.now()).toISOString();
        return { Start: now, End: now, ExitCode: opts.health?.codes.shift() ?? 0, Output: '' };
      }),
    },
    actions: {
      reply: (_, r: Reply) => replies.get(r.rid)?.(r),
      announce: (_, e) => events.push(e.action),
      signalProcess: (_, { signal }) => {
        signals.push(signal);
        const exit = opts.agent?.onSignal?.(signal);
        // The agent's report arrives after the action, as it would over the socket.
        if (exit) queueMicrotask(() => actor.send({ type: 'PROCESS_EXITED', ...exit }));
      },
    },
  });
  const base = containerInput();
  const input = containerInput({
    hostConfig: { ...base.hostConfig, AutoRemove: opts.autoRemove ?? false, ...(opts.restartPolicy && { RestartPolicy: opts.restartPolicy }) },
    config: {
      ...base.config,
      ...(opts.stopTimeout !== undefined && { StopTimeout: opts.stopTimeout }),
      ...(opts.health && { Healthcheck: opts.health.check }),
    },
  });
  const actor = createActor(machine, { input, clock }).start();
  if (opts.agent && !opts.agent.dialsLater) {
    actor.subscribe((s) => {
      if (!s.matches('starting') || s.context.agentConnected) return;
      // As the agent's hello: connected, then the main process running (or the reason it cannot run).
      queueMicrotask(() => {
        actor.send({ type: 'AGENT_CONNECTED' });
        const fails = opts.agent!.cannotRun;
        actor.send(fails ? { type: 'PROCESS_EXITED', ...fails } : { type: 'PROCESS_STARTED' });
      });
    });
  }

  type Req = Parameters<typeof actor.send>[0] extends infer E ? (E extends { rid: string } ? Omit<E, 'rid'> : never) : never;
  return {
    actor,
    calls,
    events,
    signals,
    clock,
    /** From now on, starts fail with this message (undefined: they succeed again). */
    failStarts(message: string | undefined) {
      failStart = message;
    },
    status: () => dockerStatus(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    /** Sends a request and resolves with the chart's answer. */
    ask(event: Req): Promise<Reply> {
      const rid = `r${++rids}`;
      return new Promise((resolve) => {
        replies.set(rid, resolve);
        actor.send({ ...event, rid } as Parameters<typeof actor.send>[0]);
      });
    },
    /** The running execution ends by itself. */
    exit(outcome: ExecutionOutcome) {
      const exec = actor.getSnapshot().context.execution!.executionName;
      running.get(exec)!(outcome);
      running.delete(exec);
    },
    settled: () => waitFor(actor, (s) => !s.matches('starting') && !s.matches('removing') && !s.matches('restarting')),
  };
}
