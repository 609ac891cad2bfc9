// Shared by the isolation tests: running a script as a job and looking for leftovers on the host.
import { readFileSync, readdirSync } from 'node:fs';

import type { Job } from '@azure/arm-appcontainers';

import { exitCode, jobName, logRows, runJob, shellJob } from './helpers';
import type { SimHarness } from './helpers';

/** Namespaces and overlay mounts need root on Linux; elsewhere the isolated suites are skipped. */
export const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;

export interface ScriptRun {
  job: string;
  execution: string;
  status: string;
  code: number | undefined;
  replica: string;
  stdout: string[];
  stderr: string[];
}

/** Runs `script` with `sh -c` as a job, waits for its end and reads its output back. */
export async function runScript(h: SimHarness, script: string, extra: Partial<Job> = {}): Promise<ScriptRun> {
  const job = jobName('iso');
  const execution = await runJob(h, job, shellJob(h, script, extra));
  return finishRun(h, job, execution);
}

export async function finishRun(h: SimHarness, job: string, execution: string): Promise<ScriptRun> {
  const status = await h.recorder.ended(execution, 20_000);
  const got = await h.arm.jobExecution(h.rg, job, execution);
  const rows = await logRows(h, job);
  const lines = (stream: string) => rows.filter((r) => r[0] === stream).map((r) => String(r[1]));
  return {
    job,
    execution,
    status,
    code: exitCode(got),
    replica: got.detailedStatus?.replicas?.[0]?.name ?? '',
    stdout: lines('stdout'),
    stderr: lines('stderr'),
  };
}

/** Pids of every process whose mount table mentions `text` (a replica's namespace still alive). */
export function mountTablesMentioning(text: string): string[] {
  const pids: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(text)) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The replica directories under a simulator data dir. */
export function replicaDirs(dataDir: string): string[] {
  try {
    return readdirSync(`${dataDir}/replicas`);
  } catch {
    return [];
  }
}

/** The host pid of a running replica's process group leader, from its directory's owner record. */
export function replicaProcess(dataDir: string, replica: string): number | undefined {
  const dir = replicaDirs(dataDir).find((name) => name.startsWith(`${replica}-`));
  if (!dir) return undefined;
  const owner = JSON.parse(readFileSync(`${dataDir}/replicas/${dir}/owner.json`, 'utf8')) as { replica?: { pid: number } };
  return owner.replica?.pid;
}
