// Real SDK clients against the embedded simulator, over HTTPS with a bearer token.
import { request } from 'node:https';

import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { Job, JobExecution } from '@azure/arm-appcontainers';
import { ClientSecretCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query';

import { startSimulator } from '../../src/simulator';
import type { Simulator, SimulatorChange, SimulatorOptions } from '../../src/simulator';

export const LRO = { updateIntervalInMs: 20 } as const;
export const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

/** Records every 'change' from the start, so a wait never misses one that came early. */
export class ChangeRecorder {
  readonly changes: SimulatorChange[] = [];
  #waiters: Array<{ test: (c: SimulatorChange) => boolean; resolve: (c: SimulatorChange) => void }> = [];

  constructor(sim: Simulator) {
    sim.on('change', (change: SimulatorChange) => {
      this.changes.push(change);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(change)) return true;
        w.resolve(change);
        return false;
      });
    });
  }

  waitFor(test: (c: SimulatorChange) => boolean, timeoutMs = 10_000): Promise<SimulatorChange> {
    const seen = this.changes.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a simulator change')), timeoutMs);
      this.#waiters.push({ test, resolve: (c) => (clearTimeout(timer), resolve(c)) });
    });
  }

  /** Resolves with the terminal status of an execution. */
  async ended(executionName: string, timeoutMs?: number): Promise<string> {
    const change = await this.waitFor(
      (c) => c.kind === 'execution' && c.executionName === executionName && TERMINAL.has(c.status),
      timeoutMs,
    );
    return change.kind === 'execution' ? change.status : '';
  }
}

export interface SimHarness {
  sim: Simulator;
  arm: ContainerAppsAPIClient;
  logs: LogsQueryClient;
  credential: ClientSecretCredential;
  recorder: ChangeRecorder;
  rg: string;
  environmentId: string;
  close(): Promise<void>;
}

export async function startHarness(opts: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator(opts);
  const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, {
    authorityHost: sim.url,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: sim.ca },
  });
  const arm = new ContainerAppsAPIClient(credential, sim.subscriptionId, { endpoint: sim.url, tlsOptions: { ca: sim.ca } });
  const logs = new LogsQueryClient(credential, { endpoint: sim.url, tlsOptions: { ca: sim.ca } });
  return {
    sim,
    arm,
    logs,
    credential,
    recorder: new ChangeRecorder(sim),
    rg: sim.resourceGroup,
    environmentId: `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.App/managedEnvironments/${sim.environment}`,
    close: () => sim.close(),
  };
}

/** A job in the SDK's flattened model running `sh -c <script>`. */
export function shellJob(h: SimHarness, script: string, extra: Partial<Job> = {}): Job {
  return {
    location: h.sim.location,
    environmentId: h.environmentId,
    configuration: { triggerType: 'Manual', replicaTimeout: 60 },
    template: { containers: [{ name: 'main', image: 'busybox:latest', command: ['sh', '-c'], args: [script] }] },
    ...extra,
  };
}

let counter = 0;
/** A fresh valid job name per test. */
export const jobName = (prefix = 'job'): string => `${prefix}-${process.pid}-${++counter}`;

/** Creates the job, starts it, and returns the execution name. */
export async function runJob(h: SimHarness, name: string, job: Job): Promise<string> {
  await h.arm.jobs.createOrUpdate(h.rg, name, job, LRO);
  const started = await h.arm.jobs.start(h.rg, name, LRO);
  return started.name!;
}

export function exitCode(execution: JobExecution): number | undefined {
  return execution.detailedStatus?.replicas?.[0]?.containers?.[0]?.code;
}

/** A console-log query for one job, as the daemon writes it. */
export function logQuery(job: string, extra = ''): string {
  return `ContainerAppConsoleLogs_CL\n| where ContainerJobName_s == "${job}"${extra}\n| project TimeGenerated, Stream_s, Log_s\n| order by TimeGenerated asc`;
}

/** The [stream, line] rows of a job's console logs, in order. */
export async function logRows(h: SimHarness, job: string): Promise<unknown[][]> {
  const result = await h.logs.queryWorkspace(h.sim.workspaceId, logQuery(job), { duration: 'PT1H' });
  if (result.status !== 'Success') throw new Error(`query status ${result.status}`);
  return result.tables[0]!.rows.map((row) => row.slice(1));
}

/** Waits until a job logged `row` ([stream, line]). */
export async function waitForRow(h: SimHarness, job: string, row: unknown[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await logRows(h, job)).some((r) => JSON.stringify(r) === JSON.stringify(row))) {
    if (Date.now() > deadline) throw new Error(`no log row ${JSON.stringify(row)} for ${job}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw HTTPS request that trusts the simulator's CA: for what the SDKs would never send. */
export function rawRequest(
  sim: Simulator,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, sim.url), { method, headers, ca: sim.ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
