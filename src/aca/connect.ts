import { readFileSync } from 'node:fs';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { AcaConfig } from '../config';
import type { Settings } from '../settings';

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
 * Config from the SOCKERLESS_ACA_* settings; undefined when no subscription is set. With
 * SOCKERLESS_ACA_ENDPOINT every service (ARM, Log Analytics, the token authority) is reached
 * there instead of Azure's public endpoints, trusting SOCKERLESS_ACA_CA_FILE, with the client
 * secret of AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET: a standalone simulator
 * (`npm run simulator` prints these values) that outlives the daemon. The settings were checked
 * together when parsed (a subscription needs its resource group and environment).
 */
export function acaConfigFrom(settings: Settings): AcaConfig | undefined {
  const { subscriptionId, resourceGroup, environment } = settings;
  if (subscriptionId === undefined) return undefined;
  if (resourceGroup === undefined || environment === undefined) throw new Error('SOCKERLESS_ACA_SUBSCRIPTION_ID is set without SOCKERLESS_ACA_RESOURCE_GROUP and SOCKERLESS_ACA_ENVIRONMENT');
  return {
    subscriptionId,
    resourceGroup,
    environment,
    // The environment's own location is read at start; this may only repeat it.
    location: settings.location ?? '',
    workspaceId: settings.workspaceId,
    ...endpointSettings(settings),
    pollIntervalMs: settings.pollIntervalMs,
    lroPollIntervalMs: 2000,
    replicaTimeout: settings.replicaTimeout,
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
function endpointSettings(settings: Settings): { credential: TokenCredential; armEndpoint?: string; logsEndpoint?: string; ca?: string } {
  const { endpoint, caFile } = settings;
  let ca: string | undefined;
  try {
    ca = caFile === undefined ? undefined : readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new Error(`SOCKERLESS_ACA_CA_FILE: cannot read ${caFile}: ${(err as Error).message}`);
  }
  if (endpoint === undefined) return { credential: new DefaultAzureCredential(ca ? { tlsOptions: { ca } } : {}), ca };
  const { azureTenantId: tenant, azureClientId: client, azureClientSecret: secret } = settings;
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
