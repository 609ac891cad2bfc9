// The daemon-level settings of the jobs' HostConfig mapping, from the environment.
import { defaultPair, type AcaPair } from './resources';
import { secretEnvFromEnv, type SecretEnv } from './secrets';

export interface JobSettings {
  /** SOCKERLESS_ACA_DEFAULT_CPU / SOCKERLESS_ACA_DEFAULT_MEMORY: what a container without limits gets (seed: 1.0 / 2Gi). */
  defaults: AcaPair;
  /** SOCKERLESS_SECRET_ENV, SOCKERLESS_SECRET_ENV_PATTERNS: variables passed as ACA secrets. */
  secretEnv: SecretEnv;
  /** SOCKERLESS_ACA_REGISTRY_IDENTITY: `system` or a user-assigned identity's resource id, for ACR pulls. */
  registryIdentity?: string;
}

export function jobSettingsFromEnv(env: NodeJS.ProcessEnv): JobSettings {
  const cpuText = env.SOCKERLESS_ACA_DEFAULT_CPU?.trim();
  const cpu = cpuText ? Number(cpuText) : 1;
  if (!Number.isFinite(cpu)) throw new Error(`SOCKERLESS_ACA_DEFAULT_CPU must be a number, got '${cpuText}'`);
  const memory = env.SOCKERLESS_ACA_DEFAULT_MEMORY?.trim() || undefined;
  const identity = env.SOCKERLESS_ACA_REGISTRY_IDENTITY?.trim() || undefined;
  return { defaults: defaultPair(cpu, memory), secretEnv: secretEnvFromEnv(env), ...(identity && { registryIdentity: identity }) };
}
