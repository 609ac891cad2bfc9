// The container chart: its states and transitions. What they do is named in actions.ts, what
// they ask in guards.ts, the cloud calls they make in actors.ts, their clocks in delays.ts and
// clock.ts; the daemon provides the implementations that reach the outside world.
import { and, assign, not, stateIn } from 'xstate';
import { containerChartSetup } from './actions';
import { probeArgv, probeTimeoutMs } from './health';
import { clockedAssignments, healthIntervalDelay, ZERO_TIME, type Now } from './clock';
import type { ContainerContext } from './types';

export { MAX_CLOUD_ATTEMPTS, cloudRetryDelayMs } from './cloud-retry';
export { AGENT_WAIT_MS } from './delays';
export { ZERO_TIME, FIXED_NOW, type Now } from './clock';
export { containerGuards } from './guards';

/** `docker update` of resources while a job runs: an execution's CPU and memory are fixed when it starts. */
const RUNNING_RESOURCES =
  'cannot update the resources of a running container: an Azure Container Apps job execution keeps the CPU and memory it started with; stop the container, update it, then start it';

/**
 * Deleting the job (for a restart or a removal), as every cloud call: tried again after a
 * retryable failure or a timeout while tries are left, else the container is dead with `failure`.
 */
function deleteJobStates(then: '#container.starting' | '#container.removed', failure: string) {
  return {
    initial: 'deleting' as const,
    states: {
      deleting: {
        description: 'Deleting the job (its long-running operation included)',
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
      retrying: { description: 'Waiting out the back-off before the delete is tried again', after: { cloudRetryDelay: 'deleting' } },
    },
  };
}

/**
 * One Docker container whose runs are ACA Jobs executions. The state is the truth for what
 * `inspect` shows, which requests are legal, which cloud call comes next and which events fire.
 * Requests carry a request id (`rid`); the chart answers each with the `reply` action, either at
 * once (not modified, conflict, not implemented) or when the container reaches the state the request waits for.
 */
export const containerMachine = containerChartSetup.createMachine({
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
    START: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is busy; try again' } } },
    STOP: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is busy; try again' } } },
    RESTART: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is busy; try again' } } },
    KILL: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is not running' } } },
    REMOVE: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'removal of container is already in progress' } } },
    PAUSE: { actions: { type: 'replyNow', params: { outcome: 'notImplemented', message: 'pause is not supported: Azure Container Apps has no way to freeze a running replica' } } },
    UNPAUSE: { actions: { type: 'replyNow', params: { outcome: 'notImplemented', message: 'unpause is not supported: Azure Container Apps has no way to freeze a running replica' } } },
    WAIT: { actions: 'addWait' },
    UNWAIT: { actions: 'dropWait' },
    AGENT_LOST: { actions: 'markAgentLost' },
    EXECUTION_RUNNING: { actions: 'markExecutionRunning' },
    UPDATE: { actions: 'applyUpdate' },
    RENAME: { actions: ['rename', 'announceRename'] },
  },
  states: {
    created: {
      description: 'Created, never started: start runs it; stop is not modified, kill a conflict',
      tags: 'created',
      entry: { type: 'announce', params: { action: 'create' } },
      on: {
        START: { target: 'starting', actions: { type: 'await', params: 'running' } },
        RESTART: { target: 'starting', actions: { type: 'await', params: 'running' } },
        STOP: { actions: { type: 'replyNow', params: { outcome: 'notModified' } } },
        KILL: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is not running' } } },
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    starting: {

      description: 'Starting: the cloud call that creates the job and starts an execution (or starts one on a shared job)',
      tags: 'created',
      entry: ['resetRun', 'chooseAgentOrCloud'],
      initial: 'choosing',
      states: {
        choosing: {
          description: "Own job or the shape's shared job (job reuse)",
          always: [{ guard: 'reusesJob', target: 'sharing' }, { target: 'calling' }],
        },
        // Reuse: the shared job exists (or is created once for the shape); one Jobs_Start with the
        // container's template. The container owns no job, so removal and restart delete none.
        sharing: {
          description: 'Jobs_Start on the job shared by every container of the same settings',
          after: {
            operationTimeout: [
              { guard: 'attemptsLeft', target: 'retrying', actions: 'countAttempt' },
              { target: '#container.exited', actions: 'failSharedStartTimeout' },
            ],
          },
          invoke: {
            src: 'startOnSharedJob',
            input: ({ context }) => context,
            onDone: { target: '#container.running', actions: ['adoptSharedExecution', 'stampStart'] },
            onError: [
              // Found only at start (an image's VOLUMEs): the container cannot share, so it gets a job of its own.
              { guard: 'needsOwnJob', target: 'calling' },
              { guard: 'retryable', target: 'retrying', actions: 'countAttempt' },
              { target: '#container.exited', actions: 'failStart' },
            ],
          },
        },
        calling: {
          description: "Creating the container's own job and starting an execution of it",
          // A create or start that never finishes (ARM kept it InProgress) is given up and tried again.
          after: {
            operationTimeout: [
              { guard: 'attemptsLeft', target: 'retrying', actions: ['countAttempt', 'markJobExists'] },
              { target: '#container.exited', actions: ['markJobExists', 'failStartTimeout'] },
            ],
          },
          invoke: {
            src: 'runJob',
            input: ({ context }) => context,
            onDone: { target: '#container.running', actions: ['adoptExecution', 'stampStart'] },
            onError: [
              // A job may exist even though the start failed; removal must still delete it.
              { guard: 'retryable', target: 'retrying', actions: ['countAttempt', 'markJobExists'] },
              { target: '#container.exited', actions: ['markJobExists', 'failStart'] },
            ],
          },
        },
        retrying: { description: 'Waiting out the back-off before the start is tried again', after: { cloudRetryDelay: 'choosing' } },
      },
      on: {
        START: { actions: { type: 'await', params: 'running' } },
        RESTART: { actions: { type: 'await', params: 'running' } },
        STOP: { actions: ['requestStop', { type: 'await', params: 'exited' }] },
        KILL: { actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
        REMOVE: [
          { guard: 'force', actions: ['requestStop', 'announceKill', 'intendRemove', { type: 'await', params: 'removed' }] },
          { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'cannot remove a starting container: stop it first or force-remove it' } } },
        ],
        // The agent may dial, and a short process end, before the start operation returns.
        AGENT_CONNECTED: { actions: 'markAgentConnected' },
        AGENT_LOST: { actions: 'markAgentLost' },
        PROCESS_EXITED: { actions: 'recordProcessExit' },
        PROCESS_STARTED: { actions: 'markProcessStarted' },
        UPDATE: [
          { guard: 'changesResources', actions: { type: 'replyNow', params: { outcome: 'conflict', message: RUNNING_RESOURCES } } },
          { actions: 'applyUpdate' },
        ],
      },
    },

    running: {

      description: 'An execution exists; its end (agent or ACA) makes the container exited',
      tags: 'running',
      // An execution ACA never runs (stuck in Processing) is stopped; nothing ran, as a failed start.
      after: {
        scheduleTimeout: {
          // While launching, the agent wait (shorter) decides first.
          guard: and(['neverSeenRunning', not(stateIn({ running: 'launching' }))]),
          target: '.stopping',
          actions: 'giveUpPending',
        },
      },
      invoke: {
        src: 'waitForEnd',
        input: ({ context }) => ({ ...context.execution!, containerId: context.id }),
        onDone: { target: 'exited', actions: 'recordExecutionEnd' },
        onError: { target: 'exited', actions: 'loseExecution' },
      },
      initial: 'launching',
      states: {
        // Docker's start answers once the command runs, or with the reason it cannot: with an agent,
        // its word on the main process (bounded by the agent wait, after which start answers anyway).
        launching: {
          description: 'The execution began; start answers once the agent says the command runs (or could not)',
          always: [
            { guard: 'launchFailed', target: '#container.exited', actions: 'failLaunch' },
            { guard: 'processExited', target: 'up' },
            { guard: 'launched', target: 'up' },
          ],
          after: { agentWait: 'up' },
          // Requests that end the run wait, as while starting, until the launch is known (then `up` acts on them).
          on: {
            PROCESS_STARTED: { target: 'up', actions: 'markProcessStarted' },
            PROCESS_EXITED: { target: 'launching', reenter: true, actions: 'recordProcessExit' },
            // After a daemon restart the agent wait starts over (its timer did not survive).
            RESUME: { target: 'launching', reenter: true },
            STOP: { actions: ['requestStop', { type: 'await', params: 'exited' }] },
            KILL: { actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
            RESTART: { actions: { type: 'await', params: 'running' } },
            REMOVE: [
              { guard: 'force', actions: ['requestStop', 'announceKill', 'intendRemove', { type: 'await', params: 'removed' }] },
              {
                actions: {
                  type: 'replyNow',
                  params: { outcome: 'conflict', message: 'You cannot remove a running container. Stop the container before attempting removal or force remove' },
                },
              },
            ],
          },
        },
        up: {
          description: "Running: Docker's `running`, with its health check when it has one",
          entry: [
            { type: 'settle', params: { until: 'running' } },
            // Docker's order: the container joins its networks (`network connect`), then `start`.
            'joinNetworks',
            { type: 'announce', params: { action: 'start' } },
            'announceRestart',
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
                  { type: 'replyNow', params: { outcome: 'noContent' } },
                ],
              },
              { target: 'stopping', actions: ['requestStop', 'announceKill', { type: 'await', params: 'exited' }] },
            ],
            RESTART: { target: 'stopping', actions: ['requestStop', 'announceKill', 'intendRestart', { type: 'await', params: 'running' }] },
          },
          // Docker's health check: what the container's health is, and the probes that decide it.
          type: 'parallel',
          states: {
            health: {
              description: 'State.Health: what the probes decided',
              initial: 'deciding',
              states: {
                deciding: {
                  description: 'Health check configured or not',
                  always: [{ guard: 'hasHealthcheck', target: 'starting', actions: 'resetHealth' }, { target: 'none' }],
                },
                none: { description: 'No health check configured' },
                starting: {
                  description: 'Health `starting`: no probe has decided yet',
                  always: [
                    { guard: 'healthy', target: 'healthy' },
                    { guard: 'unhealthy', target: 'unhealthy' },
                  ],
                },
                healthy: {
                  description: 'Health `healthy`: the last probe passed',
                  entry: { type: 'announce', params: { action: 'health_status: healthy' } },
                  always: { guard: 'unhealthy', target: 'unhealthy' },
                },
                unhealthy: {
                  description: 'Health `unhealthy`: Retries probes in a row failed',
                  entry: { type: 'announce', params: { action: 'health_status: unhealthy' } },
                  always: { guard: 'healthy', target: 'healthy' },
                },
              },
            },
            probe: {
              description: "The health probes' schedule",
              initial: 'deciding',
              states: {
                deciding: { description: 'Probes to run or not', always: [{ guard: 'hasHealthcheck', target: 'waiting' }, { target: 'off' }] },
                off: { description: 'No probes: no health check' },
                waiting: { description: 'Waiting out the interval before the next probe', after: { healthInterval: 'probing' }, on: { RESUME: { target: 'waiting', reenter: true } } },
                probing: {
                  description: 'One probe runs inside the container through its agent',
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
          description: "Stopping the execution: the stop signal through the agent, SIGKILL after the grace, ACA's stop as the backstop",
          initial: 'choosing',
          states: {
            choosing: {
              description: "Through the agent (signal or SIGKILL), wait for it, or ACA's stop",
              always: [
                { guard: and(['agentConnected', 'killsAtOnce']), target: 'killing' },
                { guard: 'agentConnected', target: 'signalling' },
                { guard: 'agentExpected', target: 'awaitingAgent' },
                { target: 'cloud' },
              ],
            },
            // Stopped right after the start: the agent is on its way, and only it can honour the grace.
            awaitingAgent: {
              description: 'Stopped right after the start: the agent is on its way, and only it can honour the grace',
              on: { AGENT_CONNECTED: { target: 'choosing', actions: 'markAgentConnected' }, RESUME: 'choosing' },
              after: { agentWait: 'cloud' },
            },
            signalling: {
              description: 'The stop signal was sent through the agent; SIGKILL when the grace runs out',
              entry: { type: 'signalProcess', params: ({ context }) => ({ signal: context.stopRequest!.signal }) },
              after: { stopTimeout: 'killing' },
              on: { AGENT_LOST: 'cloud', RESUME: 'choosing' },
            },
            killing: {
              description: "SIGKILL was sent through the agent; ACA's stop if the execution does not end",
              entry: [
                { type: 'signalProcess', params: { signal: 'SIGKILL' } },
                // The process has been sent SIGKILL: whatever ends it now, Docker reports 137.
                'escalateToKill',
              ],
              after: { killGrace: 'cloud' },
              on: { AGENT_LOST: 'cloud', RESUME: 'choosing' },
            },
            cloud: {
              description: "ACA's stop of the execution (it cannot choose the signal or the grace)",
              entry: 'resetAttempts',
              initial: 'calling',
              states: {
                calling: {
                  description: "Calling ACA's stop",
                  invoke: {
                    src: 'stopExecution',
                    input: ({ context }) => ({ execution: context.execution!, signal: context.stopRequest?.signal ?? 'SIGTERM' }),
                    // The execution's end still arrives through waitForEnd; a stop that failed for good is kept as the error.
                    onError: [
                      { guard: 'retryable', target: 'retrying', actions: 'countAttempt' },
                      { actions: 'failStop' },
                    ],
                  },
                  after: { operationTimeout: { guard: 'attemptsLeft', target: 'retrying', actions: 'countAttempt' } },
                },
                retrying: { description: "Waiting out the back-off before ACA's stop is tried again", after: { cloudRetryDelay: 'calling' } },
              },
            },
          },
          on: {
            STOP: { actions: { type: 'await', params: 'exited' } },
            KILL: [
              {
                guard: and(['agentConnected', 'sigkill']),
                target: '.killing',
                actions: ['killNow', 'announceKill', { type: 'await', params: 'exited' }],
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
                  'killIfSigkill',
                  'announceKill',
                  { type: 'await', params: 'exited' },
                ],
              },
            ],
            RESTART: { actions: ['intendRestart', { type: 'await', params: 'running' }] },
          },
        },
      },
      on: {
        START: { actions: { type: 'replyNow', params: { outcome: 'notModified' } } },
        UPDATE: [
          { guard: 'changesResources', actions: { type: 'replyNow', params: { outcome: 'conflict', message: RUNNING_RESOURCES } } },
          { actions: 'applyUpdate' },
        ],
        AGENT_CONNECTED: { actions: ['markAgentConnected', 'markExecutionRunning'] },
        AGENT_LOST: { actions: 'markAgentLost' },
        PROCESS_STARTED: { actions: 'markProcessStarted' },
        PROCESS_EXITED: { target: 'exited', actions: ['recordProcessExit', 'exitWithProcessCode'] },
        REMOVE: [
          { guard: 'force', target: '.stopping', actions: ['requestStop', 'announceKill', 'intendRemove', { type: 'await', params: 'removed' }] },
          {
            actions: {
              type: 'replyNow',
              params: { outcome: 'conflict', message: 'You cannot remove a running container. Stop the container before attempting removal or force remove' },
            },
          },
        ],
      },
    },

    exited: {

      description: "The execution ended: Docker's `exited` (die, stop announced); a restart, removal or policy may follow",
      tags: 'exited',
      entry: [
        'stampFinish',
        'endRun',
        // The run's agent link closes (and the ports it published) before `die` is announced.
        'endAgentLink',
        'announceDie',
        // …and leaves them right after `die` (`network disconnect`), before `stop` and `destroy`.
        'leaveNetworks',
        'announceStop',
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
          description: 'The restart policy decides once per exit',
          always: [
            { guard: 'restartsByPolicy', target: 'backoff', actions: 'scheduleRestart' },
            { guard: 'neverRan', target: 'neverRan' },
            { target: 'stopped' },
          ],
        },
        stopped: { description: 'Exited, and stays so until started again' },
        // dockerd's `created`: the command could not be run, and no earlier start ever ran it.
        neverRan: { description: "The command could not be run and no start ever ran it: Docker's `created`", tags: 'created' },
        // Docker's `restarting`: waiting out the back-off. A user's stop cancels the restart.
        backoff: {
          description: "Docker's `restarting`: waiting out the back-off before a restart by policy",
          tags: 'restarting',
          after: { restartDelay: { target: '#container.restarting', actions: 'markAutoRestart' } },
          on: {
            // After a daemon restart the back-off starts over (its timer did not survive).
            RESUME: { target: 'backoff', reenter: true },
            START: { actions: { type: 'replyNow', params: { outcome: 'notModified' } } },
            STOP: {
              target: 'stopped',
              actions: ['requestStop', { type: 'announce', params: { action: 'stop' } }, { type: 'replyNow', params: { outcome: 'noContent' } }, { type: 'releaseWaits', params: { removed: false } }],
            },
            KILL: { actions: { type: 'replyNow', params: ({ context }) => ({ outcome: 'conflict', message: `Container ${context.id} is restarting, wait until the container is running` }) } },
            REMOVE: [
              { guard: 'force', target: '#container.removing', actions: { type: 'await', params: 'removed' } },
              { actions: { type: 'replyNow', params: ({ context }) => ({ outcome: 'conflict', message: `You cannot remove a restarting container ${context.id}. Stop the container before attempting removal or force remove` }) } },
            ],
            WAIT: { actions: 'addWait' },
          },
        },
      },
      on: {
        START: { target: 'starting', actions: { type: 'await', params: 'running' } },
        RESTART: { target: 'restarting', actions: { type: 'await', params: 'running' } },
        STOP: { actions: { type: 'replyNow', params: { outcome: 'notModified' } } },
        KILL: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'container is not running' } } },
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    // Rule 3: a restart replaces the container's own job, so the new execution runs the stored config afresh.
    restarting: {
      description: 'Restart: the old job is deleted (own job only), then a new start',
      tags: 'restarting',
      entry: 'beginRestart',
      // A container on a shared job owns none: its restart is just a new execution.
      always: { guard: 'ownsNoJob', target: 'starting' },
      ...deleteJobStates('#container.starting', 'restart failed deleting the old job'),
    },

    removing: {

      description: "Removal: the container's own job is deleted",
      tags: 'removing',
      entry: 'resetAttempts',
      always: { guard: 'ownsNoJob', target: 'removed' },
      ...deleteJobStates('#container.removed', 'removing the job failed'),
    },

    // An unrecoverable cloud failure; removal may be retried.
    dead: {
      description: 'An unrecoverable cloud failure; only removal is possible',
      tags: 'dead',
      entry: ['failAll', { type: 'releaseWaits', params: { removed: false } }],
      on: {
        REMOVE: { target: 'removing', actions: { type: 'await', params: 'removed' } },
        START: { actions: { type: 'replyNow', params: { outcome: 'conflict', message: 'cannot start a dead container; remove it' } } },
        STOP: { actions: { type: 'replyNow', params: { outcome: 'notModified' } } },
        WAIT: [{ guard: 'notRunningWait', actions: 'answerWaitNow' }, { actions: 'addWait' }],
      },
    },

    removed: {

      description: 'Gone: destroy announced, every waiting request answered',
      type: 'final',
      entry: [
        { type: 'settle', params: { until: 'removed' } },
        { type: 'releaseWaits', params: { removed: true } },
        'releaseContainer',
        { type: 'announce', params: { action: 'destroy' } },
      ],
    },
  },
});

/** The chart on the clock `now`: the daemon gives it the real clock, tests a fake clock they move. */
export function withClock(now: Now) {
  const clocked = clockedAssignments(now);
  return containerMachine.provide({
    actions: { stampStart: assign(clocked.stampStart), stampFinish: assign(clocked.stampFinish), recordHealth: assign(clocked.recordHealth) },
    delays: { healthInterval: healthIntervalDelay(now) },
  });
}
