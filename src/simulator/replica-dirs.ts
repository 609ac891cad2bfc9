import { randomUUID } from 'node:crypto';
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
  simulator: ProcessMark & { instance: string };
  /** The replica's process group leader, once spawned. */
  replica?: ProcessMark;
}

const OWNER_FILE = 'owner.json';
const SELF: ProcessMark = { pid: process.pid, start: processStartTime(process.pid) ?? '' };
/** Simulators of this process that have not closed: their replica dirs are never swept. */
const liveInstances = new Set<string>();

function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** True when the simulator that made the dir still runs (in this process or another). */
function ownerAlive(owner: Owner | undefined): boolean {
  const sim = owner?.simulator;
  if (!sim) return false;
  if (sim.pid === SELF.pid && sim.start === SELF.start) return liveInstances.has(sim.instance);
  return sameProcessAlive(sim.pid, sim.start);
}

const SWEEP_WAIT_MS = 2000;

/** `<dataDir>/replicas`: one directory per replica, removed when the replica ends. */
export class ReplicaDirs {
  readonly root: string;
  #owner: Owner['simulator'];

  constructor(dataDir: string) {
    this.root = join(dataDir, 'replicas');
    this.#owner = { ...SELF, instance: randomUUID() };
    mkdirSync(this.root, { recursive: true });
    liveInstances.add(this.#owner.instance);
  }

  create(replicaName: string): string {
    const dir = mkdtempSync(join(this.root, `${replicaName}-`));
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ simulator: this.#owner } satisfies Owner));
    return dir;
  }

  /** Records the replica's process group leader, for the sweep after a crash. */
  recordProcess(dir: string, pid: number | undefined): void {
    const start = pid === undefined ? undefined : processStartTime(pid);
    if (pid === undefined || start === undefined) return;
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ simulator: this.#owner, replica: { pid, start } } satisfies Owner));
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /** After close, a later simulator on the same data dir may sweep what is left. */
  close(): void {
    liveInstances.delete(this.#owner.instance);
  }

  /**
   * Removes what simulators that never closed (crashed) left here: replicas still running are
   * killed (their process group; an isolated replica's namespaces, and with them its mounts, go
   * with it), then their directories are deleted. Returns how many directories were swept.
   */
  async sweep(): Promise<number> {
    let swept = 0;
    for (const name of readdirSync(this.root)) {
      const dir = join(this.root, name);
      const owner = readOwner(dir);
      if (ownerAlive(owner)) continue;
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
}
