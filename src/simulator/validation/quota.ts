import { ArmError } from './arm-error';
import type { EnvironmentFacts } from './facts';
import { totals, type ContainerResourcesInput } from './resources';

/** An execution as the quota sees it: whether it has ended, and the template it runs. */
export interface QuotaExecution {
  terminal: boolean;
  toResource(): object;
}

/** The cores the environment's running (not yet ended) executions hold. */
export function runningCores(executions: Iterable<QuotaExecution>): number {
  let cores = 0;
  for (const e of executions) {
    if (e.terminal) continue;
    const template = (e.toResource() as { properties?: { template?: { containers?: ContainerResourcesInput[] } } }).properties?.template;
    cores += totals(template?.containers ?? []).cpu;
  }
  return cores;
}

/**
 * The environment's core quota (Learn "Quotas for Azure Container Apps": 100 cores per environment
 * for Consumption and general-purpose profiles), with its documented message. Neither the error
 * code nor where ACA reports it for a job start is published: the simulator refuses the start
 * synchronously (400) under code MaxAllowedCoresExceeded.
 */
export function quotaError(running: number, requested: number, facts: EnvironmentFacts): ArmError | undefined {
  if (running + requested <= facts.maxCores + 1e-9) return undefined;
  return new ArmError(400, 'MaxAllowedCoresExceeded', 'Maximum Allowed Cores exceeded for the Managed Environment.');
}
