// The events the traversal tries, with the payloads that matter. Event types the lists don't
// name are still tried as `{ type }`, so events added to the machine later are explored too.
import { __unsafe_getAllOwnEventDescriptors, type AnyMachineSnapshot, type AnyStateMachine, type AnyStateNode, type EventObject } from 'xstate';
import type { ExecutionOutcome } from '../../machines/container';

/** Every traversal request carries the same id; the drivers give each real request its own. */
export const MODEL_RID = 'model';

export const requestEvents: EventObject[] = [
  { type: 'START' },
  { type: 'STOP' },
  { type: 'RESTART' },
  { type: 'KILL', signal: 'SIGKILL' },
  { type: 'KILL', signal: 'SIGTERM' },
  { type: 'REMOVE', force: false },
  { type: 'REMOVE', force: true },
  { type: 'WAIT', condition: 'not-running' },
  { type: 'WAIT', condition: 'next-exit' },
  { type: 'WAIT', condition: 'removed' },
  { type: 'UNWAIT' },
  { type: 'PAUSE' },
  { type: 'UNPAUSE' },
  { type: 'UPDATE', hostConfig: { RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } }, resources: false },
  { type: 'UPDATE', hostConfig: { Memory: 256 * 1024 * 1024 }, resources: true },
].map((e) => ({ ...e, rid: MODEL_RID }));

export const renameEvent = { type: 'RENAME', name: '/model-renamed' };

/** What the in-job agent tells the daemon. */
export const agentEvents: EventObject[] = [
  { type: 'AGENT_CONNECTED' },
  { type: 'AGENT_LOST' },
  ...[{ code: 0 }, { code: 3 }, { code: 143, signal: 'SIGTERM' }].map((exit) => ({ type: 'PROCESS_EXITED', ...exit })),
];

/** How an invoked cloud call can end, by the actor's `src`. */
const outputs: Record<string, unknown[]> = {
  runJob: [
    { jobName: 'sockerless-model', executionName: 'sockerless-model-exec' },
    { jobName: 'sockerless-model', executionName: 'sockerless-model-exec', agent: true },
  ],
  // On a shared job the execution is named after the job, never the container.
  startOnSharedJob: [
    { jobName: 'sockerless-s-model', executionName: 'sockerless-s-model-exec' },
    { jobName: 'sockerless-s-model', executionName: 'sockerless-s-model-exec', agent: true },
  ],
  // A health probe that passed, and one that failed.
  probeHealth: [
    { Start: '2030-01-01T00:00:00.000Z', End: '2030-01-01T00:00:00.000Z', ExitCode: 0, Output: '' },
    { Start: '2030-01-01T00:00:00.000Z', End: '2030-01-01T00:00:00.000Z', ExitCode: 1, Output: '' },
  ],
  waitForEnd: [
    { status: 'Succeeded', exitCode: 0 },
    { status: 'Failed', exitCode: 3 },
    // What a real SIGTERM ends a shell with.
    { status: 'Stopped', exitCode: 143 },
  ] satisfies ExecutionOutcome[],
};

/** The failure each call is tried with; runJob's is the one Docker users meet most (exit 127). */
const failures: Record<string, string> = {
  runJob: 'exec: "model-missing": executable file not found in $PATH',
  startOnSharedJob: 'exec: "model-missing": executable file not found in $PATH',
};

export interface InvokeInfo {
  id: string;
  src: string;
  state: string;
}

/** Every invoke of the machine, found in its definition. */
export function invokes(machine: AnyStateMachine): InvokeInfo[] {
  const walk = (node: AnyStateNode): InvokeInfo[] => [
    ...node.invoke.map((i) => ({ id: i.id, src: String(i.src), state: node.id })),
    ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(walk),
  ];
  return walk(machine.root);
}

/** Cloud calls the chart tries again when they fail in a way worth retrying. */
const retriedCalls = new Set(['runJob', 'startOnSharedJob', 'stopExecution', 'deleteJob']);

/** A failure as src/aca/errors.ts classifies it: ARM throttled the call. */
export const throttledError = (src: string) => Object.assign(new Error(`${src} failed: 429 Too Many Requests (injected)`), { kind: 'throttled' });

/** The shared start's refusal of a container with volumes (an image's VOLUMEs): it runs on a job of its own. */
const ownJobError = () => Object.assign(new Error('container has volumes, which a shared job\'s executions cannot mount (injected)'), { kind: 'own-job' });

/** Whether a step's event is a cloud failure the chart retries (the pure run's; the daemon's tests are in test/reliability). */
export const isRetryableFailure = (event: EventObject) => (event as { error?: { kind?: unknown } }).error?.kind === 'throttled';

/** `xstate.done.actor.<id>` / `xstate.error.actor.<id>` events with the payloads above. */
export function invokeOutcomes(machine: AnyStateMachine): EventObject[] {
  return invokes(machine).flatMap(({ id, src }) => [
    ...(outputs[src] ?? [undefined]).map((output) => ({ type: `xstate.done.actor.${id}`, output, actorId: id })),
    { type: `xstate.error.actor.${id}`, error: new Error(failures[src] ?? `${src} failed (injected)`), actorId: id },
    ...(retriedCalls.has(src) ? [{ type: `xstate.error.actor.${id}`, error: throttledError(src), actorId: id }] : []),
    ...(src === 'startOnSharedJob' ? [{ type: `xstate.error.actor.${id}`, error: ownJobError(), actorId: id }] : []),
  ]);
}

/**
 * The events to try in a snapshot: every event type its states handle (the same descriptors the
 * graph utilities use), with the payloads listed here, or as plain `{ type }` when none is.
 */
export function modelEvents(machine: AnyStateMachine): (snapshot: AnyMachineSnapshot) => EventObject[] {
  const listed = [...requestEvents, renameEvent, ...agentEvents, ...invokeOutcomes(machine)];
  return (snapshot) =>
    __unsafe_getAllOwnEventDescriptors(snapshot).flatMap((type) => {
      const payloads = listed.filter((e) => e.type === type);
      return payloads.length ? payloads : type.includes('*') ? [] : [{ type }];
    });
}

/** What a step's event stands for, for the drivers. */
export type StepKind =
  | { kind: 'request'; event: EventObject }
  | { kind: 'outcome'; invoke: InvokeInfo; ok: boolean; event: EventObject }
  /** A delayed (`after`) transition's timer fires. */
  | { kind: 'timer'; event: EventObject }
  | { kind: 'other'; event: EventObject };

export function classify(machine: AnyStateMachine, event: EventObject): StepKind {
  const m = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type);
  if (m) {
    const invoke = invokes(machine).find((i) => i.id === m[2]);
    if (invoke) return { kind: 'outcome', invoke, ok: m[1] === 'done', event };
  }
  if ('rid' in event || event.type === 'RENAME') return { kind: 'request', event };
  if (event.type.startsWith('xstate.after.')) return { kind: 'timer', event };
  return { kind: 'other', event };
}

/**
 * The traversal with a health check keeps to a run and its probes: start, the agent's hello,
 * the probes' schedule and results, a daemon restart while waiting, and a stop.
 */
export function healthEvents(machine: AnyStateMachine): (s: AnyMachineSnapshot, e: EventObject) => boolean {
  return (_s, e) => {
    const kind = classify(machine, e);
    if (kind.kind === 'timer') return true;
    if (kind.kind === 'outcome') return ['runJob', 'probeHealth', 'waitForEnd', 'stopExecution'].includes(kind.invoke.src);
    if (kind.kind === 'request') return e.type === 'START' || e.type === 'STOP';
    return true;
  };
}

/**
 * The traversal to a cloud operation's last try: its timeouts and back-offs, and the requests
 * and ends that lead to a start, a restart and a removal (the traversal counts tries here).
 */
export function retryEvents(machine: AnyStateMachine): (s: AnyMachineSnapshot, e: EventObject) => boolean {
  return (_s, e) => {
    const kind = classify(machine, e);
    if (kind.kind === 'timer') return e.type.includes('operationTimeout') || e.type.includes('cloudRetryDelay');
    if (kind.kind === 'request') return ['START', 'RESTART'].includes(e.type) || (e.type === 'REMOVE' && !(e as { force?: boolean }).force);
    if (kind.kind === 'outcome') return kind.ok && (kind.invoke.src === 'runJob' || (kind.invoke.src === 'waitForEnd' && (e as { output?: { status?: string } }).output?.status === 'Succeeded'));
    return false;
  };
}

/**
 * The traversal with a restart policy keeps to the events around a restart by policy; with every
 * event and a policy the explored states grow several times over.
 */
export function policyEvents(machine: AnyStateMachine): (s: AnyMachineSnapshot, e: EventObject) => boolean {
  const requests = new Set(['START', 'STOP', 'REMOVE', 'WAIT']);
  return (s, e) => {
    const kind = classify(machine, e);
    if (kind.kind === 'timer') return s.matches({ exited: 'backoff' });
    // A daemon restart during the back-off re-arms its timer.
    if (e.type === 'RESUME') return s.matches({ exited: 'backoff' });
    if (kind.kind === 'outcome') return !(e as { output?: { agent?: boolean } }).output?.agent;
    if (kind.kind !== 'request') return false;
    return requests.has(e.type) || (e.type === 'KILL' && (e as { signal?: string }).signal === 'SIGKILL');
  };
}
