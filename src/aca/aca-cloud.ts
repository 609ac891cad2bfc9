import type { AcaConfig } from '../config';
import { DEFAULT_ARM_RATES } from './arm-budget';
import { createArmClient, createLogsClient } from './clients';
import { INSTANCE_TAG, terminalStatuses } from './cloud';
import type { Cloud, Execution, ExecutionEnd, ExecutionStatus, ExecutionSummary, JobSpec, LogQuery, LogRow, ManagedJob } from './cloud';
import { CloudError, isNotFound, toCloudError } from './errors';
import { ExecutionReader } from './execution-reader';
import { containerEnd, executionEnd, vanishedEnd } from './execution-end';
import { executionTemplate } from './execution-template';
import { SHAPE_TAG } from './job-shape';
import { jobResource } from './job-resource';
import { LogReader } from './logs';

/** Something that tells us the cloud changed (the embedded simulator is one). */
export interface ChangeHints {
  on(event: 'change', fn: () => void): unknown;
  off(event: 'change', fn: () => void): unknown;
}

/**
 * With change hints, how often a waiter still looks at an execution that said nothing: a backstop
 * against a lost hint, not the way ends are seen. Azure throttles ARM reads per subscription, so
 * a container that runs for an hour should cost a handful of reads, not one per poll interval.
 */
export const HINTED_BACKSTOP_MS = 30_000;

/** The Cloud on real ACA or the embedded simulator: one ARM client and one Logs client, shared. */
export function createAcaCloud(config: AcaConfig, hints?: ChangeHints): Cloud {
  const arm = createArmClient(config);
  const logs = createLogsClient(config);
  const rg = config.resourceGroup;
  const lro = (abortSignal?: AbortSignal) => ({ updateIntervalInMs: config.lroPollIntervalMs, abortSignal });

  function onChange(listener: () => void): () => void {
    if (hints === undefined) return () => {};
    hints.on('change', listener);
    return () => void hints.off('change', listener);
  }

  async function runJob(spec: JobSpec, signal?: AbortSignal): Promise<Execution> {
    try {
      await arm.jobs.createOrUpdate(rg, spec.jobName, jobResource(config, spec), lro(signal));
    } catch (err) {
      throw toCloudError(err, 'create job', spec.jobName);
    }
    let started;
    try {
      started = await arm.jobs.start(rg, spec.jobName, lro(signal));
    } catch (err) {
      throw toCloudError(err, 'start job', spec.jobName);
    }
    if (!started.name) {
      throw new CloudError('start job', spec.jobName, 'ACA returned no execution name');
    }
    return { jobName: spec.jobName, executionName: started.name };
  }

  async function putJob(spec: JobSpec, signal?: AbortSignal): Promise<void> {
    try {
      await arm.jobs.createOrUpdate(rg, spec.jobName, jobResource(config, spec), lro(signal));
    } catch (err) {
      throw toCloudError(err, 'create job', spec.jobName);
    }
  }

  async function startExecution(spec: JobSpec, signal?: AbortSignal): Promise<Execution> {
    let started;
    try {
      started = await arm.jobs.start(rg, spec.jobName, { ...lro(signal), template: executionTemplate(spec) });
    } catch (err) {
      throw toCloudError(err, 'start job', spec.jobName);
    }
    if (!started.name) throw new CloudError('start job', spec.jobName, 'ACA returned no execution name');
    return { jobName: spec.jobName, executionName: started.name };
  }

  const reader = new ExecutionReader({
    read: async (execution, signal) => {
      try {
        const current = await arm.jobExecution(rg, execution.jobName, execution.executionName, { abortSignal: signal });
        const status = (current.status ?? 'Unknown') as ExecutionStatus;
        if (terminalStatuses.has(status)) return { status, end: executionEnd(current) };
        // The status may lag the container: its terminated main container is the end already.
        const ended = containerEnd(current);
        return ended ? { status: ended.status, end: ended } : { status };
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        throw toCloudError(err, 'get execution of', `${execution.jobName}/${execution.executionName}`);
      }
    },
    vanished: vanishedEnd,
    // With hints a look is only a backstop against a lost one, not the way ends are seen.
    intervalMs: hints ? Math.max(config.pollIntervalMs, HINTED_BACKSTOP_MS) : config.pollIntervalMs,
    readsPerSecond: readerShare(config),
    concurrency: 8,
  });
  onChange((change?: unknown) => hintReader(reader, change));

  function waitForEnd(execution: Execution, signal: AbortSignal, onRunning?: () => void): Promise<ExecutionEnd> {
    return reader.watch(execution, signal, onRunning);
  }

  async function stopExecution(execution: Execution, signal?: AbortSignal): Promise<void> {
    try {
      await arm.jobs.stopExecution(rg, execution.jobName, execution.executionName, lro(signal));
    } catch (err) {
      if (isNotFound(err)) return;
      throw toCloudError(err, 'stop execution of', `${execution.jobName}/${execution.executionName}`);
    }
  }

  async function deleteJob(jobName: string, signal?: AbortSignal): Promise<void> {
    try {
      await arm.jobs.delete(rg, jobName, lro(signal));
    } catch (err) {
      if (isNotFound(err)) return;
      throw toCloudError(err, 'delete job', jobName);
    }
  }

  // One reader for the daemon's workspace: every follower's poll shares its budget.
  const logReader = new LogReader(logs, { workspaceId: config.workspaceId, destination: config.logDestination });
  function queryLogs(query: LogQuery, signal?: AbortSignal): Promise<LogRow[]> {
    return logReader.query(query, signal);
  }

  async function listManagedJobs(signal?: AbortSignal): Promise<ManagedJob[]> {
    const jobs: ManagedJob[] = [];
    try {
      for await (const job of arm.jobs.listByResourceGroup(rg, { abortSignal: signal })) {
        const tags = job.tags ?? {};
        if (tags['managed-by'] !== 'sockerless' || !job.name) continue;
        jobs.push({ jobName: job.name, containerId: tags['sockerless-container-id'], instanceId: tags[INSTANCE_TAG], shape: tags[SHAPE_TAG] });
      }
    } catch (err) {
      throw toCloudError(err, 'list the jobs of', rg);
    }
    return jobs;
  }

  async function listExecutions(jobName: string, signal?: AbortSignal): Promise<ExecutionSummary[]> {
    const executions: ExecutionSummary[] = [];
    try {
      for await (const e of arm.jobsExecutions.list(rg, jobName, { abortSignal: signal })) {
        if (!e.name) continue;
        const reported = (e.status ?? 'Unknown') as ExecutionStatus;
        const end = terminalStatuses.has(reported) ? executionEnd(e) : containerEnd(e);
        const status = end?.status ?? reported;
        const main = e.template?.containers?.find((c) => c.name === 'main') ?? e.template?.containers?.[0];
        executions.push({
          executionName: e.name,
          status,
          ...(e.startTime !== undefined && { startTime: new Date(e.startTime).toISOString() }),
          ...(end && { end }),
          envNames: (main?.env ?? []).flatMap((v) => (v.name ? [v.name] : [])),
          ...((id) => (id ? { containerId: id } : {}))(main?.env?.find((v) => v.name === 'SOCKERLESS_CONTAINER_ID')?.value),
        });
      }
    } catch (err) {
      if (isNotFound(err)) return [];
      throw toCloudError(err, 'list the executions of', jobName);
    }
    return executions.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
  }

  return { runJob, putJob, startExecution, waitForEnd, stopExecution, deleteJob, queryLogs, logLag: logReader.lag, onChange, listManagedJobs, listExecutions };
}

/** Half the ARM read budget: LRO polls, listings and log reads need the rest. */
function readerShare(config: AcaConfig): number {
  const rates = config.armRates ?? DEFAULT_ARM_RATES;
  return rates === 'off' ? 1000 : rates.reads.perSecond / 2;
}

/**
 * Passes a hint to the reader. A hint that names itself (the simulator's `{ kind, executionName }`)
 * and is about log rows or another execution can't end a watched one, so the reader does not
 * re-read every execution on every change. Anything else makes them all due.
 */
function hintReader(reader: ExecutionReader, change: unknown): void {
  if (typeof change !== 'object' || change === null) return reader.hint();
  const { kind, executionName } = change as { kind?: unknown; executionName?: unknown };
  if (kind === 'logs') return;
  reader.hint(kind === 'execution' && typeof executionName === 'string' ? executionName : undefined);
}
