// Many containers in mixed states on a real daemon, made through dockerode: created only,
// exited (with their codes), failed to start (State.Error), and running until told to exit.
import type Docker from 'dockerode';
import type { ExitControl } from '../model/exit-control';

export interface FleetPlan {
  created: number;
  exited: number;
  /** Started with `failImage`, which the simulator cannot pull: the start fails, with State.Error. */
  failed: number;
  running: number;
  /** An image (pulled already) of a registry the simulator treats as private, with no credentials given. */
  failImage: string;
}

export interface Fleet {
  /** Names by the state they were left in. */
  created: string[];
  exited: string[];
  failed: string[];
  running: string[];
}

/** Runs `work` over `inputs`, at most `limit` at a time. */
export async function pool<T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) await work(inputs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}

const TIERS = ['web', 'worker', 'batch', 'db'];

export async function makeFleet(docker: Docker, exits: ExitControl, plan: FleetPlan, prefix = 'fleet'): Promise<Fleet> {
  const fleet: Fleet = { created: [], exited: [], failed: [], running: [] };
  const jobs: { name: string; kind: keyof Fleet; i: number }[] = [];
  for (const kind of ['created', 'exited', 'failed', 'running'] as const) {
    for (let i = 0; i < plan[kind]; i++) jobs.push({ name: `${prefix}-${kind}-${i}`, kind, i });
  }
  await pool(jobs, 8, async ({ name, kind, i }) => {
    const Cmd = kind === 'exited' ? ['sh', '-c', `exit ${i % 4}`] : kind === 'failed' ? ['true'] : exits.command(name);
    const Image = kind === 'failed' ? plan.failImage : 'alpine';
    const c = await docker.createContainer({ Image, name, Cmd, Labels: { tier: TIERS[i % TIERS.length]!, kind } });
    if (kind === 'failed') await c.start().then(() => c.wait(), () => {}); // the image pull fails: the start itself, or the run
    else if (kind !== 'created') {
      await c.start();
      if (kind !== 'running') await c.wait();
    }
    fleet[kind].push(name);
  });
  return fleet;
}
