import { StorageManagementClient } from '@azure/arm-storage';
import { armBudgetOf, createArmClient } from '../aca/clients';
import type { AcaConfig } from '../config';
import type { Settings } from '../settings';
import { AzureFileShares, type ShareSettings } from './azure-files';

/** The storage account the embedded simulator's shares are made in (any name exists there). */
export const SIMULATOR_STORAGE_ACCOUNT = 'sockerlesssim';

/**
 * SOCKERLESS_ACA_STORAGE_ACCOUNT (+ _RESOURCE_GROUP, _KEY). Undefined on Azure without an account:
 * named volumes are then refused at container create, with the setting to give.
 */
export function shareSettingsFrom(settings: Settings, config: AcaConfig, simulator: boolean): ShareSettings | undefined {
  const account = settings.storageAccount ?? (simulator ? SIMULATOR_STORAGE_ACCOUNT : undefined);
  if (account === undefined) return undefined;
  const key = settings.storageKey;
  return { account, resourceGroup: settings.storageResourceGroup ?? config.resourceGroup, ...(key !== undefined && { key }) };
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
