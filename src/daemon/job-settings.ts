// The daemon-level settings of the jobs' HostConfig mapping.
import { defaultPair, type AcaPair } from './cpu-memory-pairs';
import type { Settings } from '../settings';
import { SecretEnv } from './secrets';

export interface JobSettings {
  /** SOCKERLESS_ACA_DEFAULT_CPU / SOCKERLESS_ACA_DEFAULT_MEMORY: what a container without limits gets (seed: 1.0 / 2Gi). */
  defaults: AcaPair;
  /** SOCKERLESS_SECRET_ENV, SOCKERLESS_SECRET_ENV_PATTERNS: variables passed as ACA secrets. */
  secretEnv: SecretEnv;
  /** SOCKERLESS_ACA_REGISTRY_IDENTITY: a user-assigned identity's resource id, for ACR pulls. */
  registryIdentity?: string;
}

export function jobSettingsFrom(settings: Settings): JobSettings {
  const secretEnv = new SecretEnv({ names: settings.secretEnv, patterns: settings.secretEnvPatterns });
  const identity = settings.registryIdentity;
  return { defaults: defaultPair(settings.defaultCpu, settings.defaultMemory), secretEnv, ...(identity && { registryIdentity: identity }) };
}

const USER_ASSIGNED = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

/**
 * Azure's rule for pulling with a managed identity: the identity must hold AcrPull on the
 * registry before the first pull. Each container gets a job of its own, and a job's
 * system-assigned identity is created with the job, so it never has the role in time (Azure
 * fails the pull, or hangs about 10 minutes first). Only a user-assigned identity works.
 */
export function checkRegistryIdentity(identity: string): void {
  if (identity.toLowerCase() === 'system') {
    throw new Error(
      'SOCKERLESS_ACA_REGISTRY_IDENTITY=system cannot pull from a private registry: every container gets a job of its own, whose ' +
        'system-assigned identity is created with it and has no AcrPull role at its first pull. Create a user-assigned identity, grant it ' +
        'AcrPull on the registry, and set SOCKERLESS_ACA_REGISTRY_IDENTITY to its resource id ' +
        '(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME)',
    );
  }
  if (!USER_ASSIGNED.test(identity)) {
    throw new Error(
      `SOCKERLESS_ACA_REGISTRY_IDENTITY must be a user-assigned identity's resource id ` +
        `(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME), not ${JSON.stringify(identity)}`,
    );
  }
}
