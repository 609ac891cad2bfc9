import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { signalGroup } from './child-output';
import { processStartTime, sameProcessAlive } from './isolation/proc';

/** A process named for good: pid plus start time, so a recycled pid never matches. */
interface ProcessMark {
  pid: number;
  start: string;
}

/** Who made a replica dir, so a later simulator can tell a crashed run's leftovers from a live one's. */
interface Owner {
  simulator: ProcessMark;
  /** The replica's process group leader, once spawned. */
  replica?: ProcessMark;
}

const OWNER_FILE = 'owner.json';
const SELF: ProcessMark = { pid: process.pid, start: processStartTime(process.pid) ?? '' };

/** `<dataDir>/replicas`: one directory per replica, removed when the replica ends. */
export const replicasRoot = (dataDir: string): string => join(dataDir, 'replicas');

export function createReplicaDir(root: string, replicaName: string): string {
  const dir = mkdtempSync(join(root, `${replicaName}-`));
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ simulator: SELF } satisfies Owner));
  return dir;
}

/** Records the replica's process group leader, for the sweep after a crash. */
export function recordReplicaProcess(dir: string, pid: number | undefined): void {
  const start = pid === undefined ? undefined : processStartTime(pid);
  if (pid === undefined || start === undefined) return;
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ simulator: SELF, replica: { pid, start } } satisfies Owner));
}

export async function removeReplicaDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

const SWEEP_WAIT_MS = 2000;

/**
 * Removes what a crashed simulator left in `root`: replicas still running are killed (their
 * process group; an isolated replica's namespaces, and with them its mounts, go with it), then
 * their directories are deleted. Directories of a live simulator sharing the data dir are kept.
 * Returns how many directories were swept.
 */
export async function sweepReplicaDirs(root: string): Promise<number> {
  mkdirSync(root, { recursive: true });
  let swept = 0;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const owner = readOwner(dir);
    const other = owner?.simulator;
    if (other && !(other.pid === SELF.pid && other.start === SELF.start) && sameProcessAlive(other.pid, other.start)) continue;
    const replica = owner?.replica;
    if (replica && sameProcessAlive(replica.pid, replica.start)) {
      signalGroup(replica.pid, 'SIGKILL');
      const deadline = Date.now() + SWEEP_WAIT_MS;
      while (sameProcessAlive(replica.pid, replica.start) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    rmSync(dir, { recursive: true, force: true });
    swept++;
  }
  return swept;
}
