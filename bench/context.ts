import type { SimulatorStats } from '../src/simulator/stats';
import type Docker from 'dockerode';
import type { HttpClient } from './client';
import type { DaemonProcess } from './daemon-process';
import type { SpawnPlan, Spawner } from './spawn-baseline';

/** What every figure gets: the daemon under test and the clients that drive it. */
export interface BenchContext {
  daemon: DaemonProcess;
  docker: Docker;
  http: HttpClient;
  /** How the simulator would spawn a job's command (the agent wrapper, when there is one). */
  plan: SpawnPlan;
  /** True when the job command wraps the in-job agent. */
  agent: boolean;
  /** The simulator's replica launcher, for the spawned baselines. */
  spawner: Spawner;
  quick: boolean;
  log(message: string): void;
  /** The simulator's counters around the daemon's first `docker run --rm` (a new job shape's cold run). */
  coldRun?: SimulatorStats;
}

export const IMAGE = 'alpine';
