import type { ManagedEnvironment } from '@azure/arm-appcontainers';
import type { AcaConfig } from '../config';
import { createArmClient } from './clients';
import { toCloudError } from './errors';

/**
 * Where the environment sends console logs, which decides the table they land in:
 * `log-analytics` → `ContainerAppConsoleLogs_CL` (the legacy Data Collector table, `_s`/`_d`
 * columns), `azure-monitor` → `ContainerAppConsoleLogs` (diagnostic settings, plain columns),
 * `none` → nowhere. `unknown` when the environment does not say (the query then unions both).
 */
export type LogDestination = 'log-analytics' | 'azure-monitor' | 'none' | 'unknown';

/** What the daemon needs to know of its managed environment, read once at start. */
export interface EnvironmentFacts {
  /** The environment's region: ARM refuses a job in any other. */
  location: string;
  logDestination: LogDestination;
  /** The Log Analytics workspace (customer id) the environment writes to, if it says. */
  workspaceId?: string;
  /** Its workload profiles; undefined for a Consumption-only (legacy) environment. */
  workloadProfiles?: Array<{ name: string; workloadProfileType: string }>;
}

/** The facts from a ManagedEnvironments_Get answer. */
export function environmentFacts(env: ManagedEnvironment): EnvironmentFacts {
  const destination = env.appLogsConfiguration?.destination?.toLowerCase();
  const logDestination: LogDestination =
    destination === 'log-analytics' || destination === 'azure-monitor' ? destination : destination === undefined || destination === '' ? 'unknown' : 'none';
  const profiles = env.workloadProfiles?.filter((p) => p.name && p.workloadProfileType);
  return {
    location: env.location,
    logDestination,
    ...(env.appLogsConfiguration?.logAnalyticsConfiguration?.customerId && { workspaceId: env.appLogsConfiguration.logAnalyticsConfiguration.customerId }),
    ...(profiles?.length && { workloadProfiles: profiles.map((p) => ({ name: p.name, workloadProfileType: p.workloadProfileType })) }),
  };
}

/** ManagedEnvironments_Get, once. */
export async function readEnvironment(config: AcaConfig, signal?: AbortSignal): Promise<EnvironmentFacts> {
  const arm = createArmClient(config);
  try {
    return environmentFacts(await arm.managedEnvironments.get(config.resourceGroup, config.environment, { abortSignal: signal }));
  } catch (err) {
    throw toCloudError(err, 'read the managed environment', config.environment);
  }
}

/** Azure spells a region `eastus` or `East US`; both are the same place. */
export function sameRegion(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return norm(a) === norm(b);
}

/**
 * The config with the environment's facts applied: its location (SOCKERLESS_ACA_LOCATION, when
 * set, must be the same region, or every job would be refused), and its workspace when none is
 * configured.
 */
export function withEnvironment(config: AcaConfig, facts: EnvironmentFacts): AcaConfig {
  if (config.location && !sameRegion(config.location, facts.location)) {
    throw new Error(
      `SOCKERLESS_ACA_LOCATION is ${config.location}, but environment ${config.environment} is in ${facts.location}: ` +
        'ARM refuses a job in another region than its environment; unset SOCKERLESS_ACA_LOCATION (the daemon takes the environment\'s)',
    );
  }
  return {
    ...config,
    location: facts.location,
    workspaceId: config.workspaceId ?? facts.workspaceId,
    logDestination: facts.logDestination,
  };
}
