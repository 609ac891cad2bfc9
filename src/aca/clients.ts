import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { LogsQueryClient } from '@azure/monitor-query';
import type { AcaConfig } from '../config';

function tlsOptions(config: AcaConfig): { ca: string } | undefined {
  return config.ca !== undefined ? { ca: config.ca } : undefined;
}

export function createArmClient(config: AcaConfig): ContainerAppsAPIClient {
  return new ContainerAppsAPIClient(config.credential, config.subscriptionId, {
    endpoint: config.armEndpoint,
    tlsOptions: tlsOptions(config),
  });
}

export function createLogsClient(config: AcaConfig): LogsQueryClient {
  return new LogsQueryClient(config.credential, {
    endpoint: config.logsEndpoint,
    tlsOptions: tlsOptions(config),
  });
}
