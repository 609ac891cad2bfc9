// The container chart's invoked actors, as placeholders: the chart names each and types its
// input and output; the daemon `.provide()`s the implementations (src/daemon), tests their doubles.
import { fromPromise } from 'xstate';
import type { HealthResult, ProbeInput } from './health';
import type { ContainerContext, ExecutionOutcome, ExecutionRef, WatchInput } from './types';

/** A placeholder that fails with a clear error until an implementation is provided. */
function notProvided<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`${name} is not provided`);
  });
}

export const containerActors = {
  /** Creates the container's own job and starts an execution of it. */
  runJob: notProvided<ExecutionRef, ContainerContext>('runJob'),
  /** Watches the execution until it ends (through its agent while connected, else ACA). */
  waitForEnd: notProvided<ExecutionOutcome, WatchInput>('waitForEnd'),
  /** ACA's stop of the execution. */
  stopExecution: notProvided<void, { execution: ExecutionRef; signal: string }>('stopExecution'),
  /** Deletes the container's own job. */
  deleteJob: notProvided<void, { jobName: string }>('deleteJob'),
  /** Runs one health probe inside the container (through its agent) and reports how it ended. */
  probeHealth: notProvided<HealthResult, ProbeInput>('probeHealth'),
  /** Jobs_Start with the container's own template on the job its shape shares (created once). */
  startOnSharedJob: notProvided<ExecutionRef, ContainerContext>('startOnSharedJob'),
};
