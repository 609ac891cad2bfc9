import { StorageManagementClient } from '@azure/arm-storage';
import { armBudgetOf, createArmClient } from '../aca/clients';
import type { AcaConfig } from '../config';
import { AzureFileShares, type ShareSettings } from './azure-files';

/** The storage account the embedded simulator's shares are made in (any name exists there). */
export const SIMULATOR_STORAGE_ACCOUNT = 'sockerlesssim';

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * SOCKERLESS_ACA_STORAGE_ACCOUNT (+ _RESOURCE_GROUP, _KEY). Undefined on Azure without an account:
 * named volumes are then refused at container create, with the setting to give.
 */
export function shareSettingsFromEnv(env: NodeJS.ProcessEnv, config: AcaConfig, simulator: boolean): ShareSettings | undefined {
  const account = nonEmpty(env.SOCKERLESS_ACA_STORAGE_ACCOUNT) ?? (simulator ? SIMULATOR_STORAGE_ACCOUNT : undefined);
  if (account === undefined) return undefined;
  if (!/^[a-z0-9]{3,24}$/.test(account)) throw new Error(`SOCKERLESS_ACA_STORAGE_ACCOUNT: '${account}' is not a storage account name (3-24 lowercase letters and digits)`);
  const key = nonEmpty(env.SOCKERLESS_ACA_STORAGE_KEY);
  return { account, resourceGroup: nonEmpty(env.SOCKERLESS_ACA_STORAGE_RESOURCE_GROUP) ?? config.resourceGroup, ...(key !== undefined && { key }) };
}

/** The shares of named volumes, through the same credential, endpoint and ARM budget as the jobs. */
export function createAzureFileShares(config: AcaConfig, settings: ShareSettings, instanceId: string): AzureFileShares {
  const arm = armBudgetOf(config);
  const budget = arm === 'off' ? undefined : arm.budget;
  const storage = new StorageManagementClient(config.credential, config.subscriptionId, {
    endpoint: config.armEndpoint,
    ...(config.ca !== undefined && { tlsOptions: { ca: config.ca } }),
    ...(config.retryDelayMs !== undefined && { retryOptions: { retryDelayInMs: config.retryDelayMs } }),
    ...(budget && { additionalPolicies: [{ policy: budget.policy(), position: 'perRetry' as const }] }),
  });
  return new AzureFileShares({ storage, apps: createArmClient(config), resourceGroup: config.resourceGroup, environment: config.environment }, settings, instanceId);
}
