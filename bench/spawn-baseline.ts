// The comparison for run figures: the same command started the way the simulator starts a replica
// (its own launcher choice: namespaces where the host allows, a plain process otherwise; a replica
// dir; the replica env; output split in lines), with no daemon, no HTTP and no ARM in between.
import { chooseLauncher } from '../src/simulator/isolation/probe';
import type { ProcessEnd, ReplicaLauncher } from '../src/simulator/replica';
import { ReplicaDirs } from '../src/simulator/replica-dirs';
import { resolveOptions } from '../src/simulator/options';
import type { SimulatorJob } from './daemon-process';

export interface SpawnPlan {
  /** What the job runs around the user's command (the agent wrapper), empty when nothing wraps it. */
  wrapper: string[];
  /** The job's container env (plain values only) as the simulator hands it over. */
  env: Record<string, string>;
  /** Why the plan looks the way it does, for the report. */
  description: string;
}

const AGENT_LINK = new Set(['SOCKERLESS_CALLBACK_URL', 'SOCKERLESS_AGENT_TOKEN', 'SOCKERLESS_CONTAINER_ID']);

/** Reads the wrapper (if any) off a job the daemon made for a container whose command is `userArgv`. */
export function planFromJob(job: SimulatorJob, userArgv: readonly string[]): SpawnPlan {
  const container = job.job.properties.template.containers[0]!;
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  const env: Record<string, string> = {};
  // The agent's way back to the daemon is left out: the baseline has no daemon in between, so
  // the wrapper runs standalone (it still starts, wraps and reaps the command).
  for (const v of container.env ?? []) if (v.value !== undefined && !AGENT_LINK.has(v.name)) env[v.name] = v.value;
  const tail = argv.slice(argv.length - userArgv.length);
  const endsWithUser = tail.every((a, i) => a === userArgv[i]);
  if (argv.length > userArgv.length && endsWithUser) {
    const wrapper = argv.slice(0, argv.length - userArgv.length);
    return { wrapper, env, description: `job command wraps the user's command: ${wrapper.map((a) => a.replace(/^.*\/(src|node_modules)\//, '$1/')).join(' ')} + command` };
  }
  if (argv.length === userArgv.length && endsWithUser) {
    return { wrapper: [], env, description: "job command is the user's command (no agent wrapper)" };
  }
  return { wrapper: [], env, description: `job command ${JSON.stringify(argv)} does not end with the user's command; baseline spawns the command alone` };
}

/** The simulator's replica launcher, chosen as the simulator chooses it, with its dirs under `root`. */
export interface Spawner {
  launcher: ReplicaLauncher;
  close(): void;
}

export async function createSpawner(root: string): Promise<Spawner> {
  const settings = resolveOptions({ dataDir: root });
  const dirs = new ReplicaDirs(settings.dataDir);
  const launcher = await chooseLauncher(settings, dirs);
  return { launcher, close: () => dirs.close() };
}

export interface SpawnedRun {
  end: ProcessEnd;
  ms: number;
}

let replicas = 0;

/**
 * Runs `argv` (wrapped per the plan) as a simulator replica and resolves when it ended, its output
 * was drained and its replica dir removed. `onLine` sees each output line as the log store would.
 */
export async function spawnLikeSimulator(
  plan: SpawnPlan,
  argv: readonly string[],
  spawner: Spawner,
  onLine: (stream: 'stdout' | 'stderr', line: string) => void = () => {},
): Promise<SpawnedRun> {
  const started = performance.now();
  const replicaName = `bench-${process.pid}-${++replicas}`;
  const env = (home: string): Record<string, string> => {
    const e: Record<string, string> = {
      HOSTNAME: replicaName,
      HOME: home,
      CONTAINER_APP_JOB_NAME: 'bench',
      CONTAINER_APP_JOB_EXECUTION_NAME: 'bench-exec',
      CONTAINER_APP_REPLICA_NAME: replicaName,
      ...plan.env,
    };
    if (e.PATH === undefined && process.env.PATH !== undefined) e.PATH = process.env.PATH;
    return e;
  };
  const replica = spawner.launcher.launch({ replicaName, argv: [...plan.wrapper, ...argv], env }, onLine);
  const end = await replica.ended;
  return { end, ms: performance.now() - started };
}
