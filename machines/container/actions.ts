// The container chart's named actions, and the setup that carries them with its actors, guards
// and delays (machine.ts draws the chart on it). The daemon provides the ones marked so (answers,
// Docker events, networks, signals, the agent's teardown); the rest only change the context.
import { assign, enqueueActions, setup } from 'xstate';
import { containerActors } from './actors';
import { errorMessage } from './cloud-retry';
import { clockedAssignments, FIXED_NOW, healthIntervalDelay, ZERO_TIME } from './clock';
import { containerDelays, DEFAULT_STOP_TIMEOUT } from './delays';
import { exitCodeOf, neverStarted, startFailureCode, vanished } from './exit-code';
import { containerGuards } from './guards';
import { startingHealth } from './health';
import { nextRestartDelay } from './restart-policy';

import { signalNumber } from './signals';
import type { ContainerEvent, RequestEvent, Until } from './events';
import type { Announcement, ContainerContext, ContainerInput, ExecutionOutcome, ExecutionRef, ProcessExit, Reply, ReplyOutcome } from './types';

// setup() cannot type a reference to its own named actions from inside enqueueActions, so these
// helpers enqueue `reply`, `announce` and `startWithoutAgent` with their params checked here instead.
type Enqueue = (
  action: { type: 'reply'; params: Reply } | { type: 'announce'; params: Announcement } | { type: 'startWithoutAgent' },
) => void;
const reply = (enqueue: unknown, params: Reply) => (enqueue as Enqueue)({ type: 'reply', params });
const announce = (enqueue: unknown, params: Announcement) => (enqueue as Enqueue)({ type: 'announce', params });

type Done<T> = { output: T };
const output = <T>(event: ContainerEvent) => (event as unknown as Done<T>).output;
const failure = (event: ContainerEvent) => (event as { error?: unknown }).error;

/** A start that failed keeps a force-remove asked meanwhile; a restart's intent is spent. */
const intentAfterFailedStart = ({ context }: { context: ContainerContext }) => (context.intent === 'remove' ? ('remove' as const) : null);

const fixedClock = clockedAssignments(FIXED_NOW);

const chart = setup({
  types: {
    context: {} as ContainerContext,
    events: {} as ContainerEvent,
    input: {} as ContainerInput,
    output: {} as { id: string; name: string },
  },
  actors: containerActors,
  guards: containerGuards,
  delays: { ...containerDelays, healthInterval: healthIntervalDelay(FIXED_NOW) },
  actions: {
    /** StartedAt, FinishedAt and a probe's result read the chart's clock (see clock.ts and `withClock`). */
    stampStart: assign(fixedClock.stampStart),
    stampFinish: assign(fixedClock.stampFinish),
    recordHealth: assign(fixedClock.recordHealth),
    /** Answers a request; provided by the daemon, which owns the HTTP side. */
    reply: (_, _reply: Reply) => {},
    /** Publishes a Docker event; provided by the daemon's event bus. */
    announce: (_, _event: Announcement) => {},
    /** The container joins its networks as it starts (`network connect` events); provided by the daemon. */
    joinNetworks: (_, _params: undefined) => {},
    /** The container leaves its networks as its run ends (`network disconnect` events); provided by the daemon. */
    leaveNetworks: (_, _params: undefined) => {},
    /** Delivers a signal to the main process through the agent; provided by the daemon. */
    signalProcess: (_, _params: { signal: string }) => {},
    /** The run starts without an agent: nothing will dial back for it; provided by the daemon. */
    startWithoutAgent: (_, _params: undefined) => {},
    /** The run ended: its agent's link closes, and the ports it published; provided by the daemon. */
    endAgentLink: (_, _params: undefined) => {},
    /** The container is gone: the daemon forgets its agent, ports, exec instances and job resources. */
    releaseContainer: (_, _params: undefined) => {},
    /** The agent-or-ACA choice of a start: without an agent launch, the run is ACA's alone. */
    chooseAgentOrCloud: enqueueActions(({ check, enqueue }) => {
      if (!check({ type: 'agentLaunches' } as never)) (enqueue as unknown as Enqueue)({ type: 'startWithoutAgent' });
    }),
    replyNow: enqueueActions(({ event, enqueue }, params: { outcome: ReplyOutcome; message?: string }) => {
      const { rid } = event as RequestEvent;
      reply(enqueue, { rid, outcome: params.outcome, body: params.message && { message: params.message } });
    }),
    await: assign({
      replies: ({ context, event }, until: Until) => [...context.replies, { rid: (event as RequestEvent).rid, until }],
    }),
    /** Answers the requests that waited for `until`; `failed` turns them into errors. */
    settle: enqueueActions(({ context, enqueue }, { until }: { until: Until }) => {
      const ready = context.replies.filter(
        (r) =>
          r.until === until ||
          until === 'removed' ||
          // A start that ended without running (or ran and exited at once) is answered at the exit,
          // unless a restart is under way and will reach `running` again.
          (until === 'exited' && r.until === 'running' && context.intent !== 'restart'),
      );
      for (const r of ready) {
        const failed = r.until === 'running' && until !== 'running' && context.error !== '';
        // dockerd answers a command that cannot be run as invalid input, other start failures as its own (system) error.
        const outcome: ReplyOutcome = context.processExit?.error ? 'invalidParameter' : 'system';
        reply(enqueue, failed ? { rid: r.rid, outcome, body: { message: context.error } } : { rid: r.rid, outcome: 'noContent' });
      }
      if (ready.length) enqueue.assign({ replies: context.replies.filter((r) => !ready.includes(r)) });
    }),
    /** Settles every outstanding request with the container's error (dead end). */
    failAll: enqueueActions(({ context, enqueue }) => {
      for (const r of context.replies) reply(enqueue, { rid: r.rid, outcome: 'system', body: { message: context.error } });
      enqueue.assign({ replies: [] });
    }),
    addWait: assign({
      waits: ({ context, event }) => {
        const e = event as Extract<ContainerEvent, { type: 'WAIT' }>;
        return [...context.waits, { rid: e.rid, condition: e.condition }];
      },
    }),
    dropWait: assign({
      waits: ({ context, event }) => context.waits.filter((w) => w.rid !== (event as { rid: string }).rid),
    }),
    answerWaitNow: enqueueActions(({ context, event, enqueue }) => {
      reply(enqueue, { rid: (event as RequestEvent).rid, outcome: 'ok', body: waitBody(context) });
    }),
    /** Answers `wait` requests whose condition an exit (or removal) satisfies. */
    releaseWaits: enqueueActions(({ context, enqueue }, { removed }: { removed: boolean }) => {
      const ready = context.waits.filter((w) => removed || w.condition !== 'removed');
      for (const w of ready) reply(enqueue, { rid: w.rid, outcome: 'ok', body: waitBody(context) });
      if (ready.length) enqueue.assign({ waits: context.waits.filter((w) => !ready.includes(w)) });
    }),
    requestStop: assign({
      stopRequest: ({ context, event }) => {
        if (event.type === 'KILL') return { by: 'kill' as const, signal: event.signal, timeout: 0 };
        if (event.type === 'REMOVE') return { by: 'kill' as const, signal: 'SIGKILL', timeout: 0 };
        const asked = event.type === 'STOP' || event.type === 'RESTART' ? event.timeout : undefined;
        const timeout = asked ?? context.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
        return context.stopRequest ?? { by: 'stop' as const, signal: context.config.StopSignal ?? 'SIGTERM', timeout };
      },
    }),
    /** The process has been sent SIGKILL: whatever ends it now, Docker reports 137. */
    escalateToKill: assign({ stopRequest: ({ context }) => ({ ...context.stopRequest!, signal: 'SIGKILL' }) }),
    /** `docker kill` with SIGKILL while a stop's grace runs: the kill takes over. */
    killNow: assign({ stopRequest: ({ context }) => ({ ...context.stopRequest!, by: 'kill' as const, signal: 'SIGKILL' }) }),
    /** Without an agent, only SIGKILL changes the stop under way (ACA cannot choose the signal). */
    killIfSigkill: assign({
      stopRequest: ({ context, event }) =>
        (event as { signal: string }).signal === 'SIGKILL' ? { by: 'kill' as const, signal: 'SIGKILL', timeout: 0 } : context.stopRequest,
    }),
    recordProcessExit: assign(({ event }) => {
      const e = event as Extract<ContainerEvent, { type: 'PROCESS_EXITED' }>;
      const exit: ProcessExit = { code: e.code, ...(e.signal && { signal: e.signal }), ...(e.error && { error: e.error }) };
      return { processExit: exit };
    }),
    /** The agent's code is exact, so it wins over what ACA reports (rule 5). */
    exitWithProcessCode: assign({ exitCode: ({ context }) => context.processExit!.code }),
    /**
     * The command could not be run (not found, not executable, no such user): as runc's failure
     * through dockerd, the reason is State.Error and the start's answer, with runc's 127/126.
     */
    failLaunch: assign({
      exitCode: ({ context }) => context.processExit!.code,
      error: ({ context }) => launchFailure(context.processExit!.error!),
      startFailed: true,
      startedAt: ({ context }) => context.previousStartedAt ?? ZERO_TIME,
    }),
    /** Stores what `docker update` changed in HostConfig; the next job gets the new resources. */
    applyUpdate: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Extract<ContainerEvent, { type: 'UPDATE' }>;
      enqueue.assign({ hostConfig: { ...context.hostConfig, ...e.hostConfig } });
      reply(enqueue, { rid: e.rid, outcome: 'ok', body: { Warnings: e.warnings ?? [] } });
    }),
    /** Counts a restart by policy (Docker counts it at the exit) and sets its back-off. */
    scheduleRestart: assign(({ context }) => ({ restartCount: context.restartCount + 1, restartDelayMs: nextRestartDelay(context) })),
    markAutoRestart: assign({ autoRestart: true }),
    countAttempt: assign({ cloudAttempts: ({ context }) => context.cloudAttempts + 1 }),
    resetAttempts: assign({ cloudAttempts: 0 }),
    forgetJob: assign({ jobExists: false }),
    /** A job may exist even though its start failed or timed out; removal must still delete it. */
    markJobExists: assign({ jobExists: true }),
    failDelete: assign({
      error: ({ context, event }, { failure: what, timedOut }: { failure: string; timedOut: boolean }) =>
        timedOut ? `${what}: deleting ${context.jobName} timed out` : `${what}: ${errorMessage(failure(event))}`,
    }),
    announceKill: enqueueActions(({ event, enqueue }) => {
      const signal = event.type === 'KILL' ? event.signal : event.type === 'REMOVE' ? 'SIGKILL' : 'SIGTERM';
      announce(enqueue, { action: 'kill', attributes: { signal: String(signalNumber(signal)) } });
    }),
    /** A restart reached `running` again: Docker's `restart` event, and the intent is spent. */
    announceRestart: enqueueActions(({ context, enqueue }) => {
      if (context.intent !== 'restart') return;
      announce(enqueue, { action: 'restart' });
      enqueue.assign({ intent: null });
    }),
    /** `stop` follows `die` when the run ended by a stop (not a kill, not by itself). */
    announceStop: enqueueActions(({ context, enqueue }) => {
      if (context.stopRequest?.by === 'stop') announce(enqueue, { action: 'stop' });
    }),
    announceDie: enqueueActions(({ context, enqueue }) => {
      announce(enqueue, { action: 'die', attributes: { exitCode: String(context.exitCode) } });
    }),
    rename: assign({ name: ({ event }) => (event as Extract<ContainerEvent, { type: 'RENAME' }>).name }),
    announceRename: enqueueActions(({ context, event, enqueue }) => {
      const { name } = event as Extract<ContainerEvent, { type: 'RENAME' }>;
      announce(enqueue, { action: 'rename', attributes: { oldName: context.name, name } });
    }),
    /** A new start: what the last run left is cleared. */
    resetRun: assign(({ context }) => ({
      stopRequest: null, error: '', agentConnected: false, processExit: null, processStarted: false, startFailed: false, autoRestart: false,
      executionRunning: false, cloudAttempts: 0,
      // A start by the user begins the restart count and the back-off afresh, as in Docker.
      ...(!context.autoRestart && { restartCount: 0, restartDelayMs: 0 }),
    })),
    /** The execution the start began, on the container's own job. */
    adoptExecution: assign({ execution: ({ event }) => output<ExecutionRef>(event), jobExists: true }),
    /** The execution the start began on the shared job (whose name it takes). */
    adoptSharedExecution: assign({
      execution: ({ event }) => output<ExecutionRef>(event),
      jobName: ({ event }) => output<ExecutionRef>(event).jobName,
    }),
    failStart: assign({
      error: ({ event }) => errorMessage(failure(event)),
      exitCode: ({ event }) => startFailureCode(errorMessage(failure(event))),
      intent: intentAfterFailedStart,
      startFailed: true,
    }),
    /** A create or start that never finished (ARM kept it InProgress) is given up. */
    failStartTimeout: assign({
      error: ({ context }) => `start timed out: ACA did not finish creating and starting job ${context.jobName}`,
      exitCode: 128,
      intent: intentAfterFailedStart,
      startFailed: true,
    }),
    failSharedStartTimeout: assign({
      error: () => 'start timed out: ACA did not finish starting the execution on the shared job',
      exitCode: 128,
      intent: intentAfterFailedStart,
      startFailed: true,
    }),
    /** An execution ACA never ran (stuck in Processing) is stopped; nothing ran, as a failed start. */
    giveUpPending: assign({
      error: ({ context }) => `the execution of job ${context.jobName} never started: ACA kept it pending, so it was stopped`,
      startFailed: true,
      stopRequest: { by: 'kill' as const, signal: 'SIGKILL', timeout: 0 },
    }),
    recordExecutionEnd: assign({
      exitCode: ({ context, event }) =>
        context.startFailed ? 128 : context.processExit?.code ?? exitCodeOf(output<ExecutionOutcome>(event), context.stopRequest),
      // Kept as the container's error, so `wait` (and `docker run`) say why nothing ran.
      error: ({ context, event }) => neverStarted(output<ExecutionOutcome>(event)) ?? vanished(output<ExecutionOutcome>(event)) ?? context.error,
    }),
    loseExecution: assign({ exitCode: 1, error: ({ event }) => `lost track of the execution: ${errorMessage(failure(event))}` }),
    failStop: assign({ error: ({ event }) => `stop failed: ${errorMessage(failure(event))}` }),
    /** The run is over: not running, and (moby's CloseMonitorChannel) "unhealthy when the monitor has stopped". */
    endRun: assign({
      executionRunning: false,
      health: ({ context }) => context.health && { ...context.health, Status: 'unhealthy' as const },
    }),
    resetHealth: assign({ health: () => startingHealth() }),
    markAgentConnected: assign({ agentConnected: true }),
    markAgentLost: assign({ agentConnected: false }),
    markExecutionRunning: assign({ executionRunning: true }),
    markProcessStarted: assign({ processStarted: true }),
    intendRestart: assign({ intent: 'restart' }),
    intendRemove: assign({ intent: 'remove' }),
    beginRestart: assign({ intent: 'restart', cloudAttempts: 0 }),
  },
});

export { chart as containerChartSetup };

/** runc's words (through containerd and dockerd) for a command it could not run; clients match on them. */
function launchFailure(reason: string): string {
  return `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${reason}: unknown`;
}

function waitBody(context: ContainerContext) {
  // A command that could not be run: the start's answer carries the reason (and the CLI's 127/126
  // comes from it); an Error here too would make `docker run` print it twice, and exit 125.
  const error = context.error && !context.processExit?.error ? { Message: context.error } : null;
  return { StatusCode: context.exitCode, Error: error };
}
