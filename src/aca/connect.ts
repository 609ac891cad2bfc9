import { readFileSync } from 'node:fs';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
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
    // The simulator answers at once: a transient failure is worth trying again sooner than Azure's 1 s.
    retryDelayMs: 100,
    replicaTimeout: 1800,
    ...overrides,
  };
}

/**
 * Config from SOCKERLESS_ACA_* variables; undefined when no subscription is set. With
 * SOCKERLESS_ACA_ENDPOINT every service (ARM, Log Analytics, the token authority) is reached
 * there instead of Azure's public endpoints, trusting SOCKERLESS_ACA_CA_FILE, with the client
 * secret of AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET: a standalone simulator
 * (`npm run simulator` prints these values) that outlives the daemon.
 */
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
    // The environment's own location is read at start; this may only repeat it.
    location: nonEmpty(env.SOCKERLESS_ACA_LOCATION) ?? '',
    workspaceId: nonEmpty(env.SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE),
    ...endpointSettings(env),
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
    `(subscription ${config.subscriptionId}${config.location ? `, ${config.location}` : ''}) via ${arm}; ${logs}`
  );
}

/** The endpoint, CA and credential; Azure's public endpoints and DefaultAzureCredential without SOCKERLESS_ACA_ENDPOINT. */
function endpointSettings(env: NodeJS.ProcessEnv): { credential: TokenCredential; armEndpoint?: string; logsEndpoint?: string; ca?: string } {
  const endpoint = nonEmpty(env.SOCKERLESS_ACA_ENDPOINT)?.replace(/\/+$/, '');
  const caFile = nonEmpty(env.SOCKERLESS_ACA_CA_FILE);
  let ca: string | undefined;
  try {
    ca = caFile === undefined ? undefined : readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new Error(`SOCKERLESS_ACA_CA_FILE: cannot read ${caFile}: ${(err as Error).message}`);
  }
  if (endpoint === undefined) return { credential: new DefaultAzureCredential(ca ? { tlsOptions: { ca } } : {}), ca };
  const [tenant, client, secret] = [nonEmpty(env.AZURE_TENANT_ID), nonEmpty(env.AZURE_CLIENT_ID), nonEmpty(env.AZURE_CLIENT_SECRET)];
  if (tenant === undefined || client === undefined || secret === undefined) {
    throw new Error('SOCKERLESS_ACA_ENDPOINT is set, so AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET must be set too (the client secret the endpoint accepts)');
  }
  const credential = new ClientSecretCredential(tenant, client, secret, {
    authorityHost: endpoint,
    disableInstanceDiscovery: true,
    ...(ca && { tlsOptions: { ca } }),
  });
  return { credential, armEndpoint: endpoint, logsEndpoint: endpoint, ca };
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
