import type { JobExecution } from '@azure/arm-appcontainers';
import type { Execution, ExecutionEnd, ExecutionStatus } from './cloud';

/** The end of an execution as ACA reports it; the exit code is the main container's. */
export function executionEnd(execution: JobExecution): ExecutionEnd {
  const containers = execution.detailedStatus?.replicas?.[0]?.containers ?? [];
  const main = containers.find((c) => c.name === 'main') ?? containers[0];
  return {
    status: (execution.status ?? 'Unknown') as ExecutionStatus,
    ...(typeof main?.code === 'number' && { exitCode: main.code }),
    ...(execution.reason !== undefined && { reason: execution.reason }),
    ...(execution.message !== undefined && { message: execution.message }),
    ...(execution.endTime !== undefined && { endTime: toIso(execution.endTime) }),
  };
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
