import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import type { AcaConfig } from '../config';

/** What the embedded simulator hands over: where it listens and the identity it accepts. */
export interface SimulatorEndpoint {
  url: string;
  ca: string;
  subscriptionId: string;
  resourceGroup: string;
  environment: string;
  location: string;
  workspaceId: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Config for the embedded simulator: same SDK clients, its URL as every endpoint, its CA trusted. */
export function acaConfigForSimulator(sim: SimulatorEndpoint, overrides?: Partial<AcaConfig>): AcaConfig {
  const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, {
    authorityHost: sim.url,
    // MSAL would otherwise ask login.microsoftonline.com to validate the authority.
    disableInstanceDiscovery: true,
    tlsOptions: { ca: sim.ca },
  });
  return {
    subscriptionId: sim.subscriptionId,
    resourceGroup: sim.resourceGroup,
    environment: sim.environment,
    location: sim.location,
    workspaceId: sim.workspaceId,
    credential,
    armEndpoint: sim.url,
    logsEndpoint: sim.url,
    ca: sim.ca,
    pollIntervalMs: 500,
    lroPollIntervalMs: 25,
    replicaTimeout: 1800,
    ...overrides,
  };
}

/** Config for real Azure from SOCKERLESS_ACA_* variables; undefined when no subscription is set. */
export function acaConfigFromEnv(env: NodeJS.ProcessEnv): AcaConfig | undefined {
  const subscriptionId = nonEmpty(env.SOCKERLESS_ACA_SUBSCRIPTION_ID);
  if (subscriptionId === undefined) return undefined;
  const resourceGroup = nonEmpty(env.SOCKERLESS_ACA_RESOURCE_GROUP);
  const environment = nonEmpty(env.SOCKERLESS_ACA_ENVIRONMENT);
  const missing = [
    ...(resourceGroup === undefined ? ['SOCKERLESS_ACA_RESOURCE_GROUP'] : []),
    ...(environment === undefined ? ['SOCKERLESS_ACA_ENVIRONMENT'] : []),
  ];
  if (resourceGroup === undefined || environment === undefined) {
    throw new Error(`SOCKERLESS_ACA_SUBSCRIPTION_ID is set, so ${missing.join(' and ')} must be set too`);
  }
  return {
    subscriptionId,
    resourceGroup,
    environment,
    location: nonEmpty(env.SOCKERLESS_ACA_LOCATION) ?? 'eastus',
    workspaceId: nonEmpty(env.SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE),
    credential: new DefaultAzureCredential(),
    pollIntervalMs: positiveInt(env, 'SOCKERLESS_ACA_POLL_INTERVAL_MS', 2000),
    lroPollIntervalMs: 2000,
    replicaTimeout: positiveInt(env, 'SOCKERLESS_ACA_REPLICA_TIMEOUT', 3600),
  };
}

/** One line saying where containers run, without secrets. */
export function describeTarget(config: AcaConfig): string {
  const arm = config.armEndpoint ?? 'https://management.azure.com';
  const logs = config.workspaceId !== undefined ? `logs from workspace ${config.workspaceId}` : 'no log workspace';
  return (
    `ACA environment ${config.environment} in ${config.resourceGroup} ` +
    `(subscription ${config.subscriptionId}, ${config.location}) via ${arm}; ${logs}`
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}
