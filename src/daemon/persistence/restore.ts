import { createActor, type AnyMachineSnapshot, type Snapshot } from 'xstate';
import { containerMachine, type ContainerContext, type ContainerInput, type ExecutionRef } from '../../../machines/container';
import type { Cloud } from '../../aca/cloud';
import type { ContainerRow } from '../../store';
import { AGENT_KEY_ENV } from '../agent/shared-token';

/** The agent's token variable: an execution that has it runs an agent that will dial back. */
const AGENT_TOKEN_ENV = 'SOCKERLESS_AGENT_TOKEN';

type PersistedChild = { snapshot: PersistedContainer; src: string; systemId: string; syncSnapshot: boolean };
type PersistedContainer = { status: string; value: unknown; context: ContainerContext; children?: Record<string, unknown> } & Record<string, unknown>;

/** What the store gave back, ready for the root actor. */
export interface RestoredContainers {
  /** The root actor's persisted snapshot (undefined when there is nothing to restore). */
  snapshot: Snapshot<unknown> | undefined;
  /** Each restored container with the state it comes back in. */
  containers: Array<{ id: string; context: ContainerContext; value: unknown }>;
  /** Containers whose state could not be restored; they come back `dead`, saying why. */
  damaged: Array<{ id: string; reason: string }>;
}

/**
 * Rebuilds the root actor's snapshot from the stored container snapshots. What cannot outlive
 * the old process is dropped from each context: requests in flight (their HTTP connections are
 * gone, and their ids would collide with the new process's) and the agent connection. A snapshot
 * that no longer fits the chart (a state renamed since) comes back as `dead`, with the reason.
 */
export function restoreContainers(rows: readonly ContainerRow[]): RestoredContainers {
  const children: Record<string, PersistedChild> = {};
  const names: Record<string, string> = {};
  const containers: RestoredContainers['containers'] = [];
  const damaged: RestoredContainers['damaged'] = [];
  for (const row of rows) {
    let persisted: PersistedContainer;
    try {
      persisted = validSnapshot(row);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      persisted = deadSnapshot(row, reason);
      damaged.push({ id: row.id, reason });
    }
    // An ended run's context keeps the agent flag of its last run (nothing reads it there).
    const agentConnected = mayBeRunning(persisted.value) ? false : persisted.context.agentConnected;
    const context: ContainerContext = { ...persisted.context, replies: [], waits: [], agentConnected };
    const snapshot = { ...persisted, context };
    children[row.id] = { snapshot, src: 'container', systemId: row.id, syncSnapshot: false };
    names[context.name] = row.id;
    containers.push({ id: row.id, context, value: snapshot.value });
  }
  if (!containers.length) return { snapshot: undefined, containers, damaged };
  const root = { status: 'active', value: {}, historyValue: {}, context: { names }, children, output: undefined, error: undefined };
  return { snapshot: root as unknown as Snapshot<unknown>, containers, damaged };
}

function validSnapshot(row: ContainerRow): PersistedContainer {
  const persisted = JSON.parse(row.snapshot) as PersistedContainer;
  if (persisted.status !== 'active') throw new Error(`stored with status ${String(persisted.status)}`);
  // Throws when the state value names states the chart no longer has.
  containerMachine.resolveState({ value: persisted.value as never, context: persisted.context });
  return persisted;
}

/** A `dead` container made from the stored create input, for a snapshot that cannot be restored. */
function deadSnapshot(row: ContainerRow, reason: string): PersistedContainer {
  const input = JSON.parse(row.input) as ContainerInput;
  const initial = createActor(containerMachine, { input }).getSnapshot();
  const error = `the daemon could not restore this container's state after a restart (${reason}); remove it`;
  const dead = containerMachine.resolveState({ value: 'dead', context: { ...initial.context, error, exitCode: 255 } });
  return containerMachine.getPersistedSnapshot(dead as AnyMachineSnapshot as never) as unknown as PersistedContainer;
}

/** Whether the container's state holds an execution that may be running (an agent may dial back). */
export function mayBeRunning(value: unknown): boolean {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  return top === 'starting' || top === 'running';
}

/**
 * The runJob resumption for containers restored in `starting`: the interrupted start may have
 * created the job and begun an execution already; if the job has one newer than the container's
 * previous execution, that one is adopted. Asked once per container (later starts are new ones).
 */
export function startResumer(cloud: Cloud, restored: RestoredContainers): (containerId: string) => ((signal: AbortSignal) => Promise<ExecutionRef | undefined>) | undefined {
  const pending = new Map<string, { jobName: string; previous: string | undefined; shared: boolean }>();
  for (const c of restored.containers) {
    const top = typeof c.value === 'string' ? c.value : Object.keys(c.value as object)[0];
    const shared = top === 'starting' && (c.value as { starting?: unknown }).starting === 'sharing';
    if (top === 'starting') pending.set(c.id, { jobName: c.context.jobName, previous: c.context.execution?.executionName, shared });
  }
  return (containerId) => {
    const entry = pending.get(containerId);
    if (!entry) return undefined;
    pending.delete(containerId);
    if (entry.shared) return (signal) => adoptSharedStart(cloud, containerId, entry.previous, signal);
    return async (signal) => {
      const newest = (await cloud.listExecutions(entry.jobName, signal))[0];
      if (!newest || newest.executionName === entry.previous) return undefined;
      return { jobName: entry.jobName, executionName: newest.executionName, agent: newest.envNames.includes(AGENT_TOKEN_ENV) };
    };
  };
}

/**
 * An interrupted start on a shared job: the container's execution is the one whose template
 * names the container (SOCKERLESS_CONTAINER_ID, in every shared start, with or without an
 * agent), never merely the job's newest. It runs an agent only if the template carried the
 * job's agent key.
 */
async function adoptSharedStart(cloud: Cloud, containerId: string, previous: string | undefined, signal: AbortSignal): Promise<ExecutionRef | undefined> {
  for (const job of await cloud.listManagedJobs(signal)) {
    if (job.shape === undefined) continue;
    const mine = (await cloud.listExecutions(job.jobName, signal)).find((e) => e.containerId === containerId);
    if (mine && mine.executionName !== previous) return { jobName: job.jobName, executionName: mine.executionName, agent: mine.envNames.includes(AGENT_KEY_ENV) };
  }
  return undefined;
}
