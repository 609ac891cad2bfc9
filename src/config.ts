import type { TokenCredential } from '@azure/identity';
import type { ArmRates } from './aca/arm-budget';
import type { LogDestination } from './aca/environment';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Where and how the daemon reaches Azure (or the embedded simulator). */
export interface AcaConfig {
  subscriptionId: string;
  resourceGroup: string;
  /** Managed environment name (SOCKERLESS_ACA_ENVIRONMENT). */
  environment: string;
  /** The environment's region; empty until read from the environment (SOCKERLESS_ACA_LOCATION may only repeat it). */
  location: string;
  /** Where the environment's console logs go (read from it at start); `unknown` queries both tables. */
  logDestination?: LogDestination;
  /** Log Analytics workspace (customer) id; logs are unavailable without it. */
  workspaceId?: string;
  credential: TokenCredential;
  /** ARM endpoint; default https://management.azure.com. */
  armEndpoint?: string;
  /** Log Analytics endpoint; default https://api.loganalytics.io. */
  logsEndpoint?: string;
  /** Extra CA certificate (PEM) the SDK clients trust; the simulator's self-signed one. */
  ca?: string;
  /** Execution status and log polling interval (seed: 2 s against Azure). */
  pollIntervalMs: number;
  /** LRO poll interval handed to the SDK pollers. */
  lroPollIntervalMs: number;
  /** ACA replicaTimeout for every job, seconds. */
  replicaTimeout: number;
  /** The per-subscription ARM budget every request waits for (SOCKERLESS_ARM_BUDGET); 'off' sends at once. */
  armRates?: ArmRates | 'off';
  /** The SDK's first retry delay for transient failures (it doubles per retry); the SDK's 1 s when unset. */
  retryDelayMs?: number;
  /** This daemon's persistent instance id, tagged on every job so daemons sharing a resource group keep to their own. */
  instanceId?: string;
  /** Extra pipeline policies on both SDK clients, after each retry (test/contract records the exchanges with one). */
  pipelinePolicies?: PipelinePolicy[];
}
