import type { JobExecution } from '@azure/arm-appcontainers';
import type { Execution, ExecutionEnd, ExecutionStatus } from './cloud';

/** The job's main container (init containers, such as the agent's installer, have other names). */
export const MAIN_CONTAINER = 'main';

type ContainerStatus = NonNullable<NonNullable<NonNullable<JobExecution['detailedStatus']>['replicas']>[number]['containers']>[number];

/** The main container's entry in the execution's replica/container view, from the last replica that has one. */
function mainContainer(execution: JobExecution): ContainerStatus | undefined {
  const replicas = execution.detailedStatus?.replicas ?? [];
  for (let i = replicas.length - 1; i >= 0; i--) {
    const main = replicas[i]!.containers?.find((c) => c.name === MAIN_CONTAINER);
    if (main) return main;
  }
  return undefined;
}

/**
 * The end of an execution as ACA reports it. The exit code is the main container's, found by
 * name: `containers[0]` may be an init container, whose code says nothing about the user's.
 */
export function executionEnd(execution: JobExecution): ExecutionEnd {
  const main = mainContainer(execution);
  const message = execution.message ?? (main?.additionalInformation || undefined);
  return {
    status: (execution.status ?? 'Unknown') as ExecutionStatus,
    ...(typeof main?.code === 'number' && { exitCode: main.code }),
    ...(execution.reason !== undefined && { reason: execution.reason }),
    ...(message !== undefined && { message }),
    ...(execution.endTime !== undefined && { endTime: toIso(execution.endTime) }),
  };
}

/**
 * The end the replica/container view shows while the execution's own status still lags behind
 * (it can stay Running long after its container exited): the main container has terminated with
 * an exit code. Undefined while it has not.
 */
export function containerEnd(execution: JobExecution): ExecutionEnd | undefined {
  const main = mainContainer(execution);
  if (typeof main?.code !== 'number' || !/^terminated$/i.test(main.status ?? '')) return undefined;
  const status: ExecutionStatus = main.code === 0 ? 'Succeeded' : 'Failed';
  return { ...executionEnd(execution), status, exitCode: main.code };
}

/** A 404 on the execution or its job: nobody will ever report its end, so call it failed. */
export function vanishedEnd(execution: Execution): ExecutionEnd {
  return {
    status: 'Failed',
    reason: 'NotFound',
    message: `execution ${execution.executionName} of job ${execution.jobName} vanished (404 from ACA)`,
  };
}

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
