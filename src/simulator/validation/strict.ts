import type { ArmError } from './arm-error';
import type { EnvironmentFacts } from './facts';
import { envVarNameError, jobNameError, secretNameError } from './names';
import { requestViolation } from './openapi';
import { runningCores, quotaError, type QuotaExecution } from './quota';
import { resourceError, totals, workloadProfile, type ContainerResourcesInput } from './resources';

/**
 * ARM's and ACA's checks of the simulator's `strictValidation` setting, in the order a request
 * meets them: the OpenAPI schema (ARM), then the service's own rules. Each throws the first error.
 */

interface WireContainer extends ContainerResourcesInput {
  env?: Array<{ name?: unknown }>;
}
interface WireJob {
  properties?: {
    workloadProfileName?: string;
    configuration?: { secrets?: Array<{ name?: unknown }> };
    template?: { containers?: WireContainer[]; initContainers?: WireContainer[] };
  };
}
interface WireTemplate {
  containers?: WireContainer[];
  initContainers?: WireContainer[];
}

function throwIf(error: ArmError | undefined): void {
  if (error) throw error;
}

function checkEnvNames(containers: readonly WireContainer[]): void {
  for (const c of containers) for (const v of c.env ?? []) if (typeof v.name === 'string') throwIf(envVarNameError(v.name));
}

/** Jobs_CreateOrUpdate: the body against the spec, the job's name, env and secret names, resources. */
export function checkJobPut(name: string, body: unknown, facts: EnvironmentFacts, environment: string): void {
  throwIf(requestViolation('Jobs_CreateOrUpdate', body));
  throwIf(jobNameError(name));
  const { properties } = body as WireJob;
  const containers = properties?.template?.containers ?? [];
  const initContainers = properties?.template?.initContainers ?? [];
  checkEnvNames([...initContainers, ...containers]);
  for (const s of properties?.configuration?.secrets ?? []) if (typeof s.name === 'string') throwIf(secretNameError(s.name));
  const profile = workloadProfile(facts, properties?.workloadProfileName, environment);
  if (!('workloadProfileType' in profile)) throw profile;
  throwIf(resourceError(containers, initContainers, profile));
}

/**
 * Jobs_Start: the JobExecutionTemplate against the spec and the rules the template carries. The
 * environment's core quota is startQuotaError's (found while provisioning, see provisioning.ts).
 */
export function checkJobStart(override: unknown, job: unknown, facts: EnvironmentFacts, environment: string): void {
  throwIf(requestViolation('Jobs_Start', override));
  const { properties } = job as WireJob;
  const template = (override ?? {}) as WireTemplate;
  const containers = template.containers ?? properties?.template?.containers ?? [];
  const initContainers = template.initContainers ?? properties?.template?.initContainers ?? [];
  if (override !== undefined) {
    checkEnvNames([...initContainers, ...containers]);
    const profile = workloadProfile(facts, properties?.workloadProfileName, environment);
    if (!('workloadProfileType' in profile)) throw profile;
    throwIf(resourceError(containers, initContainers, profile));
  }
}

/** Jobs_Start past the environment's core quota: the cores of its running executions plus this one's. */
export function startQuotaError(override: unknown, job: unknown, running: Iterable<QuotaExecution>, facts: EnvironmentFacts): ArmError | undefined {
  const containers = (override as WireTemplate | undefined)?.containers ?? (job as WireJob).properties?.template?.containers ?? [];
  return quotaError(runningCores(running), totals(containers).cpu, facts);
}
