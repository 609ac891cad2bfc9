// The HostConfig that matters on ACA, at the API edge: CPU and memory checked against the pairs
// ACA offers (400 beyond them, a warning when rounded), restart policies checked as dockerd
// checks them, secrets masked in inspect, and the registry credentials a create brought.
import type { HostConfig } from '../../../../machines/container';
import type { RegistryCredentials } from '../../../daemon/registry-auth';
import { acaResources, ResourceRangeError, type AcaPair, type ResourceLimits } from '../../../daemon/resources';
import type { SecretEnv } from '../../../daemon/secrets';
import { invalidParameter } from '../../../errdefs';

export interface HostConfigDeps {
  /** The pair a container without limits gets. */
  defaults: AcaPair;
  /** What the environment allows one replica (the Consumption workload profile's when unset). */
  limits?: ResourceLimits;
  secretEnv: SecretEnv;
  registries: RegistryCredentials;
}

const POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'];

/** dockerd's checks of a restart policy (daemon/container.go, validateRestartPolicy). */
export function checkRestartPolicy(policy: HostConfig['RestartPolicy'], autoRemove: boolean): void {
  const name = policy.Name || 'no';
  if (!POLICIES.includes(name)) throw invalidParameter(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (policy.MaximumRetryCount < 0) throw invalidParameter('invalid restart policy: maximum retry count cannot be negative');
  if (policy.MaximumRetryCount > 0 && name !== 'on-failure') throw invalidParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (autoRemove && name !== 'no') throw invalidParameter("can't create 'AutoRemove' container with restart policy");
}

/** The ACA pair for these limits; a request beyond the largest pair is a 400 naming the range. */
export function checkResources(hostConfig: Record<string, unknown>, defaults: AcaPair, limits?: ResourceLimits): { pair: AcaPair; warnings: string[] } {
  try {
    const { pair, warning } = acaResources(hostConfig, defaults, limits);
    return { pair, warnings: warning ? [warning] : [] };
  } catch (err) {
    if (err instanceof ResourceRangeError) throw invalidParameter(err.message);
    throw err;
  }
}

/** Create: the checks above; the warnings go back in the create answer, which `docker run` prints. */
export function checkCreate(hostConfig: HostConfig, defaults: AcaPair, limits?: ResourceLimits): string[] {
  checkRestartPolicy(hostConfig.RestartPolicy, hostConfig.AutoRemove);
  return checkResources(hostConfig, defaults, limits).warnings;
}
