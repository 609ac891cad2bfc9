import { and, assign, enqueueActions, fromPromise, not, setup, stateIn } from 'xstate';
import { hasProbes, nextHealth, probeArgv, probeIntervalMs, probeTimeoutMs, startingHealth } from './health';
import type { HealthResult, ProbeInput } from './health';
import { exitCodeOf, neverStarted, startFailureCode, vanished } from './exit-code';
import { nextRestartDelay, restartsByPolicy } from './restart-policy';
import { signalNumber } from './signals';
import type {
  Announcement, ContainerContext, ContainerEvent, ContainerInput, ExecutionOutcome, ExecutionRef,
  PendingReply, ProcessExit, Reply, WatchInput,
} from './types';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`${name} is not provided`);
  });

type RequestEvent = Extract<ContainerEvent, { rid: string }>;
type Until = PendingReply['until'];

// setup() cannot type a reference to its own named actions from inside enqueueActions, so these
// two helpers enqueue `reply` and `announce` with their params checked here instead.
type Enqueue = (action: { type: 'reply'; params: Reply } | { type: 'announce'; params: Announcement }) => void;
const reply = (enqueue: unknown, params: Reply) => (enqueue as Enqueue)({ type: 'reply', params });
const announce = (enqueue: unknown, params: Announcement) => (enqueue as Enqueue)({ type: 'announce', params });

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Cloud failures worth another try by the chart once the SDK's own retries are spent: ARM
 * throttling, 5xx and dropped connections, and conflicts (an operation on the job still under
 * way). `kind` is the cloud's classification (src/aca/errors.ts); anything else is final.
 */
const RETRYABLE_KINDS: ReadonlySet<unknown> = new Set(['throttled', 'transient', 'conflict']);
/** Calls of one cloud operation, first try included, before the chart gives up. */
export const MAX_CLOUD_ATTEMPTS = 5;

/** The back-off before the next call after `attempts` failed ones: `baseMs` doubling, at most 30 times it. */
export function cloudRetryDelayMs(attempts: number, baseMs = 1000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 30 * baseMs);
}
const errorKind = (error: unknown) => (typeof error === 'object' && error !== null ? (error as { kind?: unknown }).kind : undefined);

/** `docker update` of resources while a job runs: an execution's CPU and memory are fixed when it starts. */
const RUNNING_RESOURCES =
  'cannot update the resources of a running container: an Azure Container Apps job execution keeps the CPU and memory it started with; stop the container, update it, then start it';

/** The error kind with which a start on a shared job says the container needs a job of its own. */
export const OWN_JOB_KIND = 'own-job';

/** The chart's default wait for an expected agent (see the `agentWait` delay). */
export const AGENT_WAIT_MS = 10_000;

/** Docker's default grace between the stop signal and SIGKILL, seconds. */
const DEFAULT_STOP_TIMEOUT = 10;
/** setTimeout's ceiling: "wait for ever" (-t -1) waits this long (about 24 days). */
const FOREVER_MS = 2 ** 31 - 1;

/**
 * Deleting the job (for a restart or a removal), as every cloud call: tried again after a
 * retryable failure or a timeout while tries are left, else the container is dead with `failure`.
 */
function deleteJobStates(then: '#container.starting' | '#container.removed', failure: string) {
  return {
    initial: 'deleting' as const,
    states: {
      deleting: {
        invoke: {
          src: 'deleteJob' as const,
          input: ({ context }: { context: ContainerContext }) => ({ jobName: context.jobName }),
          onDone: { target: then, actions: 'forgetJob' as const },
          onError: [
            { guard: 'retryable' as const, target: 'retrying', actions: 'countAttempt' as const },
            { target: '#container.dead', actions: { type: 'failDelete' as const, params: { failure, timedOut: false } } },
          ],
        },
        after: {
          operationTimeout: [
            { guard: 'attemptsLeft' as const, target: 'retrying', actions: 'countAttempt' as const },
            { target: '#container.dead', actions: { type: 'failDelete' as const, params: { failure, timedOut: true } } },
          ],
        },
      },
      retrying: { after: { cloudRetryDelay: 'deleting' } },
    },
  };
}

/**
 * One Docker container whose runs are ACA Jobs executions. The state is the truth for what
 * `inspect` shows, which requests are legal, which cloud call comes next and which events fire.
 * Requests carry a request id (`rid`); the chart answers each with the `reply` action, either at
 * once (304, 409, 501) or when the container reaches the state the request waits for.
 */
export const containerMachine = setup({
  types: {
    context: {} as ContainerContext,
    events: {} as ContainerEvent,
    input: {} as ContainerInput,
    output: {} as { id: string; name: string },
  },
  actors: {
    runJob: notProvided('runJob') as unknown as ReturnType<typeof fromPromise<ExecutionRef, ContainerContext>>,
    waitForEnd: notProvided('waitForEnd') as unknown as ReturnType<typeof fromPromise<ExecutionOutcome, WatchInput>>,
    stopExecution: notProvided('stopExecution') as unknown as ReturnType<
      typeof fromPromise<void, { execution: ExecutionRef; signal: string }>
    >,
    deleteJob: notProvided('deleteJob') as unknown as ReturnType<typeof fromPromise<void, { jobName: string }>>,
    /** Runs one health probe inside the container (through its agent) and reports how it ended. */
    probeHealth: notProvided('probeHealth') as unknown as ReturnType<typeof fromPromise<HealthResult, ProbeInput>>,
    /** Jobs_Start with the container's own template on the job its shape shares (created once). */
    startOnSharedJob: notProvided('startOnSharedJob') as unknown as ReturnType<typeof fromPromise<ExecutionRef, ContainerContext>>,
  },
  actions: {
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
    replyNow: enqueueActions(({ event, enqueue }, params: { status: number; message?: string }) => {
      const { rid } = event as RequestEvent;
      reply(enqueue, { rid, status: params.status, body: params.message && { message: params.message } });
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
        // dockerd answers a command that cannot be run as invalid input (400), other start failures 500.
        const status = context.processExit?.error ? 400 : 500;
        reply(enqueue, failed ? { rid: r.rid, status, body: { message: context.error } } : { rid: r.rid, status: 204 });
      }
      if (ready.length) enqueue.assign({ replies: context.replies.filter((r) => !ready.includes(r)) });
    }),
    /** Settles every outstanding request with the container's error (dead end). */
    failAll: enqueueActions(({ context, enqueue }) => {
      for (const r of context.replies) reply(enqueue, { rid: r.rid, status: 500, body: { message: context.error } });
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
      reply(enqueue, { rid: (event as RequestEvent).rid, status: 200, body: waitBody(context) });
    }),
    /** Answers `wait` requests whose condition an exit (or removal) satisfies. */
    releaseWaits: enqueueActions(({ context, enqueue }, { removed }: { removed: boolean }) => {
      const ready = context.waits.filter((w) => removed || w.condition !== 'removed');
      for (const w of ready) reply(enqueue, { rid: w.rid, status: 200, body: waitBody(context) });
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
      reply(enqueue, { rid: e.rid, status: 200, body: { Warnings: e.warnings ?? [] } });
    }),
    /** Counts a restart by policy (Docker counts it at the exit) and sets its back-off. */
    scheduleRestart: assign(({ context }) => ({ restartCount: context.restartCount + 1, restartDelayMs: nextRestartDelay(context) })),
    /** Folds a probe's result into `State.Health` (a probe that could not run counts as failed). */
    recordHealth: assign({
      health: ({ context, event }) => {
        const done = event as { output?: HealthResult; error?: unknown };
        const now = new Date().toISOString();
        const result = done.output ?? { Start: now, End: now, ExitCode: -1, Output: errorMessage(done.error) };
        return nextHealth(context.health ?? startingHealth(), result, context.config.Healthcheck!, context.startedAt);
      },
    }),
    countAttempt: assign({ cloudAttempts: ({ context }) => context.cloudAttempts + 1 }),
    forgetJob: assign({ jobExists: false }),
    failDelete: assign({
      error: ({ context, event }, { failure, timedOut }: { failure: string; timedOut: boolean }) =>
        timedOut ? `${failure}: deleting ${context.jobName} timed out` : `${failure}: ${errorMessage((event as { error?: unknown }).error)}`,
    }),
    announceKill: enqueueActions(({ event, enqueue }) => {
      const signal = event.type === 'KILL' ? event.signal : event.type === 'REMOVE' ? 'SIGKILL' : 'SIGTERM';
      announce(enqueue, { action: 'kill', attributes: { signal: String(signalNumber(signal)) } });
    }),
  },
  guards: {
    force: ({ event }) => event.type === 'REMOVE' && event.force,
    hasHealthcheck: ({ context }) => hasProbes(context.config.Healthcheck),
    healthy: ({ context }) => context.health?.Status === 'healthy',
    unhealthy: ({ context }) => context.health?.Status === 'unhealthy',
    /** The chart has tries left for the cloud operation under way. */
    attemptsLeft: ({ context }) => context.cloudAttempts + 1 < MAX_CLOUD_ATTEMPTS,
    /** The failed cloud call may succeed later, and the chart has tries left. */
    retryable: ({ context, event }) =>
      context.cloudAttempts + 1 < MAX_CLOUD_ATTEMPTS && RETRYABLE_KINDS.has(errorKind((event as { error?: unknown }).error)),
    /** Nothing says the execution ever began: no agent, no process end, not seen Running. */
    neverSeenRunning: ({ context }) => !context.executionRunning && !context.agentConnected && context.processExit === null && context.stopRequest === null,
    changesResources: ({ event }) => event.type === 'UPDATE' && event.resources,
    notRunningWait: ({ event }) => event.type === 'WAIT' && event.condition === 'not-running',
    stopRequested: ({ context }) => context.stopRequest !== null,
    restartIntended: ({ context }) => context.intent === 'restart',
    removeIntended: ({ context }) => context.intent === 'remove' || context.hostConfig.AutoRemove,
    /** Rule 7: the exit restarts by the container's restart policy. */
    restartsByPolicy: ({ context }) => restartsByPolicy(context),
    hasJob: ({ context }) => context.jobExists,
    /**
     * The next execution runs on a job shared with every container of the same job-level
     * settings (one ARM write per start). The daemon provides it (reuse on, and the container's
     * settings can share); the chart alone runs every container on its own job.
     */
    reusesJob: () => false,
    /** The shared-job start refused the container (kind `own-job`): it has volumes an execution template cannot mount. */
    needsOwnJob: ({ event }) => errorKind((event as { error?: unknown }).error) === OWN_JOB_KIND,
    agentConnected: ({ context }) => context.agentConnected,
    processExited: ({ context }) => context.processExit !== null,
    /** The agent could not run the command at all (it reported why). */
    launchFailed: ({ context }) => context.processExit?.error !== undefined,
    /** The last start could not run the command and none before did (no StartedAt). */
    neverRan: ({ context }) => context.processExit?.error !== undefined && context.startFailed && context.startedAt === ZERO_TIME,
    /** Nothing to wait for before start answers: the process runs, or no agent will say so. */
    launched: ({ context }) => context.processStarted || context.execution?.agent !== true,
    killsAtOnce: ({ context }) => context.stopRequest?.signal === 'SIGKILL',
    agentExpected: ({ context }) => context.execution?.agent === true,
    /** `docker kill -s SIG` through a connected agent: only SIGKILL ends the container by itself. */
    signalOnly: ({ context, event }) => context.agentConnected && event.type === 'KILL' && event.signal !== 'SIGKILL',
  },
  delays: {
    /** The stop request's grace period (`docker stop -t N`). */
    stopTimeout: ({ context }) => {
      const seconds = context.stopRequest?.timeout ?? DEFAULT_STOP_TIMEOUT;
      return seconds < 0 ? FOREVER_MS : Math.min(seconds * 1000, FOREVER_MS);
    },
    /** After SIGKILL through the agent, how long before ACA's stop is the backstop. */
    killGrace: 2000,
    /**
     * How long start (launching) and a stop wait for an expected agent that has not dialled yet.
     * Kept below the schedule timeout, which is not checked while launching.
     */
    agentWait: AGENT_WAIT_MS,
    /** Docker's back-off before a restart by policy. */
    restartDelay: ({ context }) => context.restartDelayMs,
    /** How long one cloud operation (an ARM call and its long-running operation) may take. */
    operationTimeout: 120_000,
    /** How long an execution may stay pending (ACA's Processing) before the chart gives it up. */
    scheduleTimeout: 600_000,
    /** Back-off before the chart calls a failed cloud operation again. */
    cloudRetryDelay: ({ context }) => cloudRetryDelayMs(context.cloudAttempts),
    /** The wait before the next health probe (`--health-interval`, `--health-start-interval`). */
    healthInterval: ({ context }) => probeIntervalMs(context.config.Healthcheck!, context.health, context.startedAt),
  },
}).createMachine({
  id: 'container',
  context: ({ input }) => ({
    ...input,
    jobName: `sockerless-${input.id.slice(0, 12)}`,
    execution: null,
    jobExists: false,
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    exitCode: 0,
    error: '',
    restartCount: 0,
    restartDelayMs: 0,
    autoRestart: false,
    startFailed: false,
    stopRequest: null,
    agentConnected: false,
    executionRunning: false,
    cloudAttempts: 0,
    processExit: null,
    processStarted: false,
    intent: null,
    replies: [],
    waits: [],
    health: null,
  }),
  initial: 'created',
  output: ({ context }) => ({ id: context.id, name: context.name }),
  // Defaults for every state; states override what they allow.
  on: {
    START: { actions: { type: 'replyNow', params: { status: 409, message: 'container is busy; try again' } } },
    STOP: { actions: { type: 'replyNow', params: { status: 409, message: 'container is busy; try again' } } },
    RESTART: { actions: { type: 'replyNow', params: { status: 409, message: 'container is busy; try again' } } },
    KILL: { actions: { type: 'replyNow', params: { status: 409, message: 'container is not running' } } },
    REMOVE: { actions: { type: 'replyNow', params: { status: 409, message: 'removal of container is already in progress' } } },
    PAUSE: { actions: { type: 'replyNow', params: { status: 501, message: 'pause is not supported: Azure Container Apps has no way to freeze a running replica' } } },
    UNPAUSE: { actions: { type: 'replyNow', params: { status: 501, message: 'unpause is not supported: Azure Container Apps has no way to freeze a running replica' } } },
    WAIT: { actions: 'addWait' },
    UNWAIT: { actions: 'dropWait' },
    AGENT_LOST: { actions: assign({ agentConnected: false }) },
    EXECUTION_RUNNING: { actions: assign({ executionRunning: true }) },
    UPDATE: { actions: 'applyUpdate' },
    RENAME: {
      actions: [
        assign({ name: ({ event }) => event.name }),
        { type: 'announce', params: ({ context, event }) => ({ action: 'rename', attributes: { oldName: context.name, name: event.name } }) },
      ],
    },
  },
  states: {
    created: {
      tags: 'created',
      entry: { type: 'announce', params: { action: 'create' } },
      on: {
        START: { target: 'starting', actions: { type: 'await', params: 'running' } },
        RESTART: { target: 'starting', actions: { type: 'await', params: 'running' } },
        STOP: { actions: { type: 'replyNow', params: { status: 304 } } },
        KILL: { actions: { type: 'replyNow', params: { status: 409, message: 'container is not running' } } },
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    starting: {
      tags: 'created',
      entry: assign(({ context }) => ({
        stopRequest: null, error: '', agentConnected: false, processExit: null, processStarted: false, startFailed: false, autoRestart: false,
        executionRunning: false, cloudAttempts: 0,
        // A start by the user begins the restart count and the back-off afresh, as in Docker.
        ...(!context.autoRestart && { restartCount: 0, restartDelayMs: 0 }),
      })),
      initial: 'choosing',
      states: {
        choosing: {
          always: [{ guard: 'reusesJob', target: 'sharing' }, { target: 'calling' }],
        },
        // Reuse: the shared job exists (or is created once for the shape); one Jobs_Start with the
        // container's template. The container owns no job, so removal and restart delete none.
        sharing: {
          after: {
            operationTimeout: [
              { guard: 'attemptsLeft', target: 'retrying', actions: 'countAttempt' },
              {
                target: '#container.exited',
                actions: assign({
                  error: () => 'start timed out: ACA did not finish starting the execution on the shared job',
                  exitCode: 128,
                  intent: ({ context }) => (context.intent === 'remove' ? 'remove' : null),
                  startFailed: true,
                }),
              },
            ],
          },
          invoke: {
            src: 'startOnSharedJob',
            input: ({ context }) => context,
            onDone: {
              target: '#container.running',
              actions: assign({
                execution: ({ event }) => event.output,
                jobName: ({ event }) => event.output.jobName,
                previousStartedAt: ({ context }) => context.startedAt,
                startedAt: () => new Date().toISOString(),
              }),
            },
            onError: [
              // Found only at start (an image's VOLUMEs): the container cannot share, so it gets a job of its own.
              { guard: 'needsOwnJob', target: 'calling' },
              { guard: 'retryable', target: 'retrying', actions: 'countAttempt' },
              {
                target: '#container.exited',
                actions: assign({
                  error: ({ event }) => errorMessage(event.error),
                  exitCode: ({ event }) => startFailureCode(errorMessage(event.error)),
                  intent: ({ context }) => (context.intent === 'remove' ? 'remove' : null),
                  startFailed: true,
                }),
              },
            ],
          },
        },
        calling: {
          // A create or start that never finishes (ARM kept it InProgress) is given up and tried again.
          after: {
            operationTimeout: [
              { guard: 'attemptsLeft', target: 'retrying', actions: ['countAttempt', assign({ jobExists: true })] },
              {
                target: '#container.exited',
                actions: assign({
                  error: ({ context }) => `start timed out: ACA did not finish creating and starting job ${context.jobName}`,
                  exitCode: 128,
                  jobExists: true,
                  intent: ({ context }) => (context.intent === 'remove' ? 'remove' : null),
                  startFailed: true,
                }),
              },
            ],
          },
          invoke: {
            src: 'runJob',
            input: ({ context }) => context,
            onDone: {
              target: '#container.running',
              actions: assign({
                execution: ({ event }) => event.output,
                jobExists: true,
                // Kept, for a launch that fails: dockerd leaves StartedAt as it was before such a start.
                previousStartedAt: ({ context }) => context.startedAt,
                startedAt: () => new Date().toISOString(),
              }),
            },
            onError: [
              // A job may exist even though the start failed; removal must still delete it.
              { guard: 'retryable', target: 'retrying', actions: ['countAttempt', assign({ jobExists: true })] },
              {
                target: '#container.exited',
                actions: assign({
                  error: ({ event }) => errorMessage(event.error),
                  exitCode: ({ event }) => startFailureCode(errorMessage(event.error)),
                  jobExists: true,
                  // A force-remove asked meanwhile still removes; a restart's intent is spent.
                  intent: ({ context }) => (context.intent === 'remove' ? 'remove' : null),
                  startFailed: true,
                }),
              },
            ],
          },
        },
        retrying: { after: { cloudRetryDelay: 'choosing' } },
      },
      on: {
        START: { actions: { type: 'await', params: 'running' } },
        RESTART: { actions: { type: 'await', params: 'running' } },
        STOP: { actions: ['requestStop', { type: 'await', params: 'exited' }] },
        KILL: { actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
        REMOVE: [
          { guard: 'force', actions: ['requestStop', 'announceKill', assign({ intent: 'remove' }), { type: 'await', params: 'removed' }] },
          { actions: { type: 'replyNow', params: { status: 409, message: 'cannot remove a starting container: stop it first or force-remove it' } } },
        ],
        // The agent may dial, and a short process end, before the start operation returns.
        AGENT_CONNECTED: { actions: assign({ agentConnected: true }) },
        AGENT_LOST: { actions: assign({ agentConnected: false }) },
        PROCESS_EXITED: { actions: 'recordProcessExit' },
        PROCESS_STARTED: { actions: assign({ processStarted: true }) },
        UPDATE: [
          { guard: 'changesResources', actions: { type: 'replyNow', params: { status: 409, message: RUNNING_RESOURCES } } },
          { actions: 'applyUpdate' },
        ],
      },
    },

    running: {
      tags: 'running',
      // An execution ACA never runs (stuck in Processing) is stopped; nothing ran, as a failed start.
      after: {
        scheduleTimeout: {
          // While launching, the agent wait (shorter) decides first.
          guard: and(['neverSeenRunning', not(stateIn({ running: 'launching' }))]),
          target: '.stopping',
          actions: assign({
            error: ({ context }) => `the execution of job ${context.jobName} never started: ACA kept it pending, so it was stopped`,
            startFailed: true,
            stopRequest: { by: 'kill' as const, signal: 'SIGKILL', timeout: 0 },
          }),
        },
      },
      invoke: {
        src: 'waitForEnd',
        input: ({ context }) => ({ ...context.execution!, containerId: context.id }),
        onDone: {
          target: 'exited',
          actions: assign({
            exitCode: ({ context, event }) => (context.startFailed ? 128 : context.processExit?.code ?? exitCodeOf(event.output, context.stopRequest)),
            // Kept as the container's error, so `wait` (and `docker run`) say why nothing ran.
            error: ({ context, event }) => neverStarted(event.output) ?? vanished(event.output) ?? context.error,
          }),
        },
        onError: {
          target: 'exited',
          actions: assign({ exitCode: 1, error: ({ event }) => `lost track of the execution: ${errorMessage(event.error)}` }),
        },
      },
      initial: 'launching',
      states: {
        // Docker's start answers once the command runs, or with the reason it cannot: with an agent,
        // its word on the main process (bounded by the agent wait, after which start answers anyway).
        launching: {
          always: [
            { guard: 'launchFailed', target: '#container.exited', actions: 'failLaunch' },
            { guard: 'processExited', target: 'up' },
            { guard: 'launched', target: 'up' },
          ],
          after: { agentWait: 'up' },
          // Requests that end the run wait, as while starting, until the launch is known (then `up` acts on them).
          on: {
            PROCESS_STARTED: { target: 'up', actions: assign({ processStarted: true }) },
            PROCESS_EXITED: { target: 'launching', reenter: true, actions: 'recordProcessExit' },
            // After a daemon restart the agent wait starts over (its timer did not survive).
            RESUME: { target: 'launching', reenter: true },
            STOP: { actions: ['requestStop', { type: 'await', params: 'exited' }] },
            KILL: { actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
            RESTART: { actions: { type: 'await', params: 'running' } },
            REMOVE: [
              { guard: 'force', actions: ['requestStop', 'announceKill', assign({ intent: 'remove' }), { type: 'await', params: 'removed' }] },
              {
                actions: {
                  type: 'replyNow',
                  params: { status: 409, message: 'You cannot remove a running container. Stop the container before attempting removal or force remove' },
                },
              },
            ],
          },
        },
        up: {
          entry: [
            { type: 'settle', params: { until: 'running' } },
            // Docker's order: the container joins its networks (`network connect`), then `start`.
            'joinNetworks',
            { type: 'announce', params: { action: 'start' } },
            enqueueActions(({ context, enqueue }) => {
              if (context.intent !== 'restart') return;
              announce(enqueue, { action: 'restart' });
              enqueue.assign({ intent: null });
            }),
          ],
          always: [
            { guard: 'processExited', target: '#container.exited', actions: 'exitWithProcessCode' },
            { guard: 'stopRequested', target: 'stopping' },
          ],
          on: {
            STOP: { target: 'stopping', actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
            KILL: [
              {
                guard: 'signalOnly',
                actions: [
                  { type: 'signalProcess', params: ({ event }) => ({ signal: (event as { signal: string }).signal }) },
                  'announceKill',
                  { type: 'replyNow', params: { status: 204 } },
                ],
              },
              { target: 'stopping', actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
            ],
            RESTART: { target: 'stopping', actions: ['requestStop', 'announceKill', assign({ intent: 'restart' }), { type: 'await', params: 'running' }] },
          },
          // Docker's health check: what the container's health is, and the probes that decide it.
          type: 'parallel',
          states: {
            health: {
              initial: 'deciding',
              states: {
                deciding: {
                  always: [{ guard: 'hasHealthcheck', target: 'starting', actions: assign({ health: () => startingHealth() }) }, { target: 'none' }],
                },
                none: { description: 'No health check configured' },
                starting: {
                  always: [
                    { guard: 'healthy', target: 'healthy' },
                    { guard: 'unhealthy', target: 'unhealthy' },
                  ],
                },
                healthy: {
                  entry: { type: 'announce', params: { action: 'health_status: healthy' } },
                  always: { guard: 'unhealthy', target: 'unhealthy' },
                },
                unhealthy: {
                  entry: { type: 'announce', params: { action: 'health_status: unhealthy' } },
                  always: { guard: 'healthy', target: 'healthy' },
                },
              },
            },
            probe: {
              initial: 'deciding',
              states: {
                deciding: { always: [{ guard: 'hasHealthcheck', target: 'waiting' }, { target: 'off' }] },
                off: {},
                waiting: { after: { healthInterval: 'probing' }, on: { RESUME: { target: 'waiting', reenter: true } } },
                probing: {
                  invoke: {
                    src: 'probeHealth',
                    input: ({ context }) => ({
                      containerId: context.id,
                      argv: probeArgv(context.config.Healthcheck!),
                      workdir: context.config.WorkingDir,
                      timeoutMs: probeTimeoutMs(context.config.Healthcheck!),
                    }),
                    onDone: { target: 'waiting', actions: 'recordHealth' },
                    onError: { target: 'waiting', actions: 'recordHealth' },
                  },
                },
              },
            },
          },
        },
        // With an agent: the stop signal, SIGKILL after the grace period, then ACA's stop as the
        // backstop. Without one, ACA's stop (which cannot choose the signal or the grace).
        stopping: {
          initial: 'choosing',
          states: {
            choosing: {
              always: [
                { guard: and(['agentConnected', 'killsAtOnce']), target: 'killing' },
                { guard: 'agentConnected', target: 'signalling' },
                { guard: 'agentExpected', target: 'awaitingAgent' },
                { target: 'cloud' },
              ],
            },
            // Stopped right after the start: the agent is on its way, and only it can honour the grace.
            awaitingAgent: {
              on: { AGENT_CONNECTED: { target: 'choosing', actions: assign({ agentConnected: true }) }, RESUME: 'choosing' },
              after: { agentWait: 'cloud' },
            },
            signalling: {
              entry: { type: 'signalProcess', params: ({ context }) => ({ signal: context.stopRequest!.signal }) },
              after: { stopTimeout: 'killing' },
              on: { AGENT_LOST: 'cloud', RESUME: 'choosing' },
            },
            killing: {
              entry: [
                { type: 'signalProcess', params: { signal: 'SIGKILL' } },
                // The process has been sent SIGKILL: whatever ends it now, Docker reports 137.
                assign({ stopRequest: ({ context }) => ({ ...context.stopRequest!, signal: 'SIGKILL' }) }),
              ],
              after: { killGrace: 'cloud' },
              on: { AGENT_LOST: 'cloud', RESUME: 'choosing' },
            },
            cloud: {
              entry: assign({ cloudAttempts: 0 }),
              initial: 'calling',
              states: {
                calling: {
                  invoke: {
                    src: 'stopExecution',
                    input: ({ context }) => ({ execution: context.execution!, signal: context.stopRequest?.signal ?? 'SIGTERM' }),
                    // The execution's end still arrives through waitForEnd; a stop that failed for good is kept as the error.
                    onError: [
                      { guard: 'retryable', target: 'retrying', actions: 'countAttempt' },
                      { actions: assign({ error: ({ event }) => `stop failed: ${errorMessage(event.error)}` }) },
                    ],
                  },
                  after: { operationTimeout: { guard: 'attemptsLeft', target: 'retrying', actions: 'countAttempt' } },
                },
                retrying: { after: { cloudRetryDelay: 'calling' } },
              },
            },
          },
          on: {
            STOP: { actions: { type: 'await', params: 'exited' } },
            KILL: [
              {
                guard: and(['agentConnected', ({ event }) => (event as { signal: string }).signal === 'SIGKILL']),
                target: '.killing',
                actions: [assign({ stopRequest: ({ context }) => ({ ...context.stopRequest!, by: 'kill' as const, signal: 'SIGKILL' }) }), 'announceKill', { type: 'await', params: 'exited' }],
              },
              {
                guard: 'agentConnected',
                actions: [
                  { type: 'signalProcess', params: ({ event }) => ({ signal: (event as { signal: string }).signal }) },
                  'announceKill',
                  { type: 'await', params: 'exited' },
                ],
              },
              {
                actions: [
                  assign({ stopRequest: ({ context, event }) => ((event as { signal: string }).signal === 'SIGKILL' ? { by: 'kill' as const, signal: 'SIGKILL', timeout: 0 } : context.stopRequest) }),
                  'announceKill',
                  { type: 'await', params: 'exited' },
                ],
              },
            ],
            RESTART: { actions: [assign({ intent: 'restart' }), { type: 'await', params: 'running' }] },
          },
        },
      },
      on: {
        START: { actions: { type: 'replyNow', params: { status: 304 } } },
        UPDATE: [
          { guard: 'changesResources', actions: { type: 'replyNow', params: { status: 409, message: RUNNING_RESOURCES } } },
          { actions: 'applyUpdate' },
        ],
        AGENT_CONNECTED: { actions: assign({ agentConnected: true, executionRunning: true }) },
        AGENT_LOST: { actions: assign({ agentConnected: false }) },
        PROCESS_STARTED: { actions: assign({ processStarted: true }) },
        PROCESS_EXITED: { target: 'exited', actions: ['recordProcessExit', 'exitWithProcessCode'] },
        REMOVE: [
          { guard: 'force', target: '.stopping', actions: ['requestStop', 'announceKill', assign({ intent: 'remove' }), { type: 'await', params: 'removed' }] },
          {
            actions: {
              type: 'replyNow',
              params: { status: 409, message: 'You cannot remove a running container. Stop the container before attempting removal or force remove' },
            },
          },
        ],
      },
    },

    exited: {
      tags: 'exited',
      entry: [
        assign({
          finishedAt: () => new Date().toISOString(),
          executionRunning: false,
          // moby's CloseMonitorChannel: "unhealthy when the monitor has stopped for compatibility reasons".
          health: ({ context }) => context.health && { ...context.health, Status: 'unhealthy' as const },
        }),
        { type: 'announce', params: ({ context }) => ({ action: 'die', attributes: { exitCode: String(context.exitCode) } }) },
        // …and leaves them right after `die` (`network disconnect`), before `stop` and `destroy`.
        'leaveNetworks',
        enqueueActions(({ context, enqueue }) => {
          if (context.stopRequest?.by === 'stop') announce(enqueue, { action: 'stop' });
        }),
        { type: 'settle', params: { until: 'exited' } },
        { type: 'releaseWaits', params: { removed: false } },
      ],
      always: [
        { guard: 'restartIntended', target: 'restarting' },
        { guard: 'removeIntended', target: 'removing' },
      ],
      initial: 'deciding',
      states: {
        // Rule 7: once per exit, the restart policy says whether the container runs again.
        deciding: {
          always: [
            { guard: 'restartsByPolicy', target: 'backoff', actions: 'scheduleRestart' },
            { guard: 'neverRan', target: 'neverRan' },
            { target: 'stopped' },
          ],
        },
        stopped: {},
        // dockerd's `created`: the command could not be run, and no earlier start ever ran it.
        neverRan: { tags: 'created' },
        // Docker's `restarting`: waiting out the back-off. A user's stop cancels the restart.
        backoff: {
          tags: 'restarting',
          after: { restartDelay: { target: '#container.restarting', actions: assign({ autoRestart: true }) } },
          on: {
            // After a daemon restart the back-off starts over (its timer did not survive).
            RESUME: { target: 'backoff', reenter: true },
            START: { actions: { type: 'replyNow', params: { status: 304 } } },
            STOP: {
              target: 'stopped',
              actions: ['requestStop', { type: 'announce', params: { action: 'stop' } }, { type: 'replyNow', params: { status: 204 } }, { type: 'releaseWaits', params: { removed: false } }],
            },
            KILL: { actions: { type: 'replyNow', params: ({ context }) => ({ status: 409, message: `Container ${context.id} is restarting, wait until the container is running` }) } },
            REMOVE: [
              { guard: 'force', target: '#container.removing', actions: { type: 'await', params: 'removed' } },
              { actions: { type: 'replyNow', params: ({ context }) => ({ status: 409, message: `You cannot remove a restarting container ${context.id}. Stop the container before attempting removal or force remove` }) } },
            ],
            WAIT: { actions: 'addWait' },
          },
        },
      },
      on: {
        START: { target: 'starting', actions: { type: 'await', params: 'running' } },
        RESTART: { target: 'restarting', actions: { type: 'await', params: 'running' } },
        STOP: { actions: { type: 'replyNow', params: { status: 304 } } },
        KILL: { actions: { type: 'replyNow', params: { status: 409, message: 'container is not running' } } },
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    // Rule 3: a restart replaces the container's own job, so the new execution runs the stored config afresh.
    restarting: {
      tags: 'restarting',
      entry: assign({ intent: 'restart', cloudAttempts: 0 }),
      // A container on a shared job owns none: its restart is just a new execution.
      always: { guard: ({ context }) => !context.jobExists, target: 'starting' },
      ...deleteJobStates('#container.starting', 'restart failed deleting the old job'),
    },

    removing: {
      tags: 'removing',
      entry: assign({ cloudAttempts: 0 }),
      always: { guard: ({ context }) => !context.jobExists, target: 'removed' },
      ...deleteJobStates('#container.removed', 'removing the job failed'),
    },

    // An unrecoverable cloud failure; removal may be retried.
    dead: {
      tags: 'dead',
      entry: ['failAll', { type: 'releaseWaits', params: { removed: false } }],
      on: {
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        START: { actions: { type: 'replyNow', params: { status: 409, message: 'cannot start a dead container; remove it' } } },
        STOP: { actions: { type: 'replyNow', params: { status: 304 } } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    removed: {
      type: 'final',
      entry: [
        { type: 'settle', params: { until: 'removed' } },
        { type: 'releaseWaits', params: { removed: true } },
        { type: 'announce', params: { action: 'destroy' } },
      ],
    },
  },
});

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

