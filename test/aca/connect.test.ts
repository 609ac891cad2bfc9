import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { acaConfigForSimulator, acaConfigFrom, describeTarget } from '../../src/aca/connect';
import { parseSettings, type Environment } from '../../src/settings';

/** The config the daemon makes of these variables (parsed by the settings schema, as at start). */
const acaConfigFromEnv = (env: Environment) => acaConfigFrom(parseSettings(env));

describe('acaConfigFrom', () => {
  it('is undefined without a subscription', () => {
    expect(acaConfigFromEnv({})).toBeUndefined();
    expect(acaConfigFromEnv({ SOCKERLESS_ACA_SUBSCRIPTION_ID: '  ' })).toBeUndefined();
  });

  it('names every missing required variable', () => {
    expect(() => acaConfigFromEnv({ SOCKERLESS_ACA_SUBSCRIPTION_ID: 's' })).toThrow(
      'SOCKERLESS_ACA_RESOURCE_GROUP and SOCKERLESS_ACA_ENVIRONMENT must be set',
    );
    expect(() =>
      acaConfigFromEnv({ SOCKERLESS_ACA_SUBSCRIPTION_ID: 's', SOCKERLESS_ACA_RESOURCE_GROUP: 'rg' }),
    ).toThrow(/SOCKERLESS_ACA_ENVIRONMENT must be set/);
  });

  it('applies the defaults', () => {
    const config = acaConfigFromEnv({
      SOCKERLESS_ACA_SUBSCRIPTION_ID: 's',
      SOCKERLESS_ACA_RESOURCE_GROUP: 'rg',
      SOCKERLESS_ACA_ENVIRONMENT: 'env',
    });
    expect(config).toMatchObject({
      subscriptionId: 's',
      resourceGroup: 'rg',
      environment: 'env',
      location: '',
      workspaceId: undefined,
      pollIntervalMs: 2000,
      replicaTimeout: 3600,
    });
    expect(config?.credential).toBeInstanceOf(DefaultAzureCredential);
    expect(config?.armEndpoint).toBeUndefined();
  });

  it('reads the optional variables and rejects bad numbers', () => {
    const base = {
      SOCKERLESS_ACA_SUBSCRIPTION_ID: 's',
      SOCKERLESS_ACA_RESOURCE_GROUP: 'rg',
      SOCKERLESS_ACA_ENVIRONMENT: 'env',
    };
    expect(
      acaConfigFromEnv({
        ...base,
        SOCKERLESS_ACA_LOCATION: 'westeurope',
        SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE: 'ws-1',
        SOCKERLESS_ACA_POLL_INTERVAL_MS: '750',
        SOCKERLESS_ACA_REPLICA_TIMEOUT: '120',
      }),
    ).toMatchObject({ location: 'westeurope', workspaceId: 'ws-1', pollIntervalMs: 750, replicaTimeout: 120 });
    expect(() => acaConfigFromEnv({ ...base, SOCKERLESS_ACA_POLL_INTERVAL_MS: 'fast' })).toThrow(
      /SOCKERLESS_ACA_POLL_INTERVAL_MS must be a positive integer/,
    );
  });
});

describe('acaConfigForSimulator', () => {
  const sim = {
    url: 'https://127.0.0.1:8443',
    ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    environment: 'env',
    location: 'eastus',
    workspaceId: 'ws',
    tenantId: 'tenant',
    clientId: 'client',
    clientSecret: 'very-secret',
  };

  it('points every endpoint at the simulator and trusts its CA', () => {
    const config = acaConfigForSimulator(sim);
    expect(config).toMatchObject({
      armEndpoint: sim.url,
      logsEndpoint: sim.url,
      ca: sim.ca,
      workspaceId: 'ws',
      pollIntervalMs: 500,
      lroPollIntervalMs: 25,
      replicaTimeout: 1800,
    });
    expect(config.credential).toBeInstanceOf(ClientSecretCredential);
  });

  it('lets overrides win', () => {
    expect(acaConfigForSimulator(sim, { pollIntervalMs: 50 }).pollIntervalMs).toBe(50);
  });

  it('describes the target without secrets', () => {
    const line = describeTarget(acaConfigForSimulator(sim));
    expect(line).toContain('env');
    expect(line).toContain(sim.url);
    expect(line).not.toContain('very-secret');
    expect(line).not.toContain('\n');
  });
});
