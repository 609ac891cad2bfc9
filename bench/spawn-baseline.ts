// The comparison for run figures: the same command started the way the simulator starts a replica
// (scratch dir, replica env, LocalProcess in its own process group, piped output split in lines),
// with no daemon, no HTTP and no ARM in between.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalProcess, type ProcessEnd } from '../src/simulator/local-process';
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
  const wraps = argv.length > userArgv.length && tail.every((a, i) => a === userArgv[i]);
  if (wraps) {
    const wrapper = argv.slice(0, argv.length - userArgv.length);
    return { wrapper, env, description: `job command wraps the user's command: ${JSON.stringify(wrapper)} + command` };
  }
  if (argv.length === userArgv.length && tail.every((a, i) => a === userArgv[i])) {
    return { wrapper: [], env, description: "job command is the user's command (no agent wrapper)" };
  }
  return { wrapper: [], env, description: `job command ${JSON.stringify(argv)} does not end with the user's command; baseline spawns the command alone` };
}

/** The replica env the simulator builds (executions.ts containerEnv), for a local process. */
function replicaEnv(plan: SpawnPlan, home: string): Record<string, string> {
  const env: Record<string, string> = {
    HOSTNAME: 'bench-replica',
    HOME: home,
    CONTAINER_APP_JOB_NAME: 'bench',
    CONTAINER_APP_JOB_EXECUTION_NAME: 'bench-exec',
    CONTAINER_APP_REPLICA_NAME: 'bench-replica',
    ...plan.env,
  };
  if (env.PATH === undefined && process.env.PATH !== undefined) env.PATH = process.env.PATH;
  return env;
}

export interface SpawnedRun {
  end: ProcessEnd;
  ms: number;
}

/**
 * Runs `argv` (wrapped per the plan) like a simulator replica and resolves when it ended and its
 * output was drained. `onLine` sees each output line as the simulator's log store would.
 */
export async function spawnLikeSimulator(
  plan: SpawnPlan,
  argv: readonly string[],
  scratchRoot: string,
  onLine: (stream: 'stdout' | 'stderr', line: string) => void = () => {},
): Promise<SpawnedRun> {
  const started = performance.now();
  const scratch = mkdtempSync(join(scratchRoot, 'replica-'));
  const proc = new LocalProcess({ argv: [...plan.wrapper, ...argv], env: replicaEnv(plan, scratch), cwd: scratch }, onLine);
  const end = await proc.ended;
  rmSync(scratch, { recursive: true, force: true });
  return { end, ms: performance.now() - started };
}
