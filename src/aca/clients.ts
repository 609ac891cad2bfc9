import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { LogsQueryClient } from '@azure/monitor-query';
import type { AcaConfig } from '../config';
import { armBudgetFor, DEFAULT_ARM_RATES, type ArmBudget, type ArmRates } from './arm-budget';

function tlsOptions(config: AcaConfig): { ca: string } | undefined {
  return config.ca !== undefined ? { ca: config.ca } : undefined;
}

/** The ARM budget the daemon's client of this subscription waits on, or `off`. */
export function armBudgetOf(config: AcaConfig): { rates: ArmRates; budget: ArmBudget } | 'off' {
  const rates = config.armRates ?? DEFAULT_ARM_RATES;
  return rates === 'off' ? 'off' : { rates, budget: armBudgetFor(`subscription ${config.subscriptionId} at ${config.armEndpoint ?? 'Azure'}`, rates) };
}

export function createArmClient(config: AcaConfig): ContainerAppsAPIClient {
  const arm = armBudgetOf(config);
  const budget = arm === 'off' ? undefined : arm.budget;
  return new ContainerAppsAPIClient(config.credential, config.subscriptionId, {
    endpoint: config.armEndpoint,
    tlsOptions: tlsOptions(config),
    ...(config.retryDelayMs !== undefined && { retryOptions: { retryDelayInMs: config.retryDelayMs } }),
    additionalPolicies: [
      ...(budget ? [{ policy: budget.policy(), position: 'perRetry' as const }] : []),
      ...extraPolicies(config),
    ],
  });
}

export function createLogsClient(config: AcaConfig): LogsQueryClient {
  return new LogsQueryClient(config.credential, {
    endpoint: config.logsEndpoint,
    tlsOptions: tlsOptions(config),
    additionalPolicies: extraPolicies(config),
  });
}

function extraPolicies(config: AcaConfig): Array<{ policy: PipelinePolicy; position: 'perRetry' }> {
  return (config.pipelinePolicies ?? []).map((policy) => ({ policy, position: 'perRetry' as const }));
}
