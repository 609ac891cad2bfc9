import type { SnapshotFrom } from 'xstate';
import type { containerMachine } from './machine';

export type DockerStatus = 'created' | 'restarting' | 'running' | 'removing' | 'paused' | 'exited' | 'dead';

const statuses: readonly DockerStatus[] = ['created', 'restarting', 'running', 'removing', 'exited', 'dead'];

/** Docker's status string, derived once from the state's tag. A removed container reads as `removing`. */
export function dockerStatus(snapshot: SnapshotFrom<typeof containerMachine>): DockerStatus {
  return statuses.find((s) => snapshot.hasTag(s)) ?? 'removing';
}
