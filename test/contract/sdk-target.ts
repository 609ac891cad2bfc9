// The SDK cloud (src/aca/aca-cloud.ts) as a contract target: on the embedded simulator in either
// profile, or on the subscription the environment names. Either can record its exchanges.
import { createAcaCloud } from '../../src/aca/aca-cloud';
import { acaConfigForSimulator, acaConfigFrom } from '../../src/aca/connect';
import { parseSettings } from '../../src/settings';
import type { AcaConfig } from '../../src/config';
import { startSimulator } from '../../src/simulator/index';
import type { ExchangeRecorder } from './exchange-recorder';
import type { ContractTarget } from './target';

export type SimulatorProfile = 'instant' | 'azure';

/**
 * The azure profile's delays at this scale: 30 s of Azure is 1.5 s here, so the suite takes
 * seconds while keeping Azure's order of events (Processing, Running, a terminal status later).
 */
export const CONTRACT_TIME_SCALE = 0.05;

export async function simulatorTarget(profile: SimulatorProfile, recorder?: ExchangeRecorder): Promise<ContractTarget> {
  const sim = await startSimulator({
    profile,
    ...(profile === 'azure' ? { timeScale: CONTRACT_TIME_SCALE } : { lroDelayMs: 50, stopGraceMs: 5_000 }),
    isolation: 'none',
  });
  const config = acaConfigForSimulator(sim, { pollIntervalMs: 500, ...(recorder && { pipelinePolicies: [recorder.policy] }) });
  return {
    name: `simulator (${profile} profile)`,
    cloud: createAcaCloud(config, sim),
    image: 'busybox:latest',
    patienceMs: 25_000,
    exitCodes: true,
    play: () => {},
    close: () => sim.close(),
  };
}

/** The settings the Azure run needs; undefined (with the reason) when they are not all there. */
export function azureConfig(env: NodeJS.ProcessEnv): { config?: AcaConfig; missing?: string } {
  const config = acaConfigFrom(parseSettings(env));
  if (!config) return { missing: 'SOCKERLESS_ACA_SUBSCRIPTION_ID is not set (with SOCKERLESS_ACA_RESOURCE_GROUP, SOCKERLESS_ACA_ENVIRONMENT, SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE and Azure credentials; see the README)' };
  if (!config.workspaceId) return { missing: 'SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE is not set: the contract queries logs' };
  return { config };
}

/** ACA is slow to schedule, and Log Analytics takes minutes to ingest. */
const AZURE_PATIENCE_MS = 15 * 60_000;

export function azureTarget(config: AcaConfig, recorder: ExchangeRecorder, image: string): ContractTarget {
  return {
    name: 'Azure',
    cloud: createAcaCloud({ ...config, pipelinePolicies: [recorder.policy] }),
    image,
    patienceMs: AZURE_PATIENCE_MS,
    // ACA's executions API may not report the container's exit code; the record shows what it did.
    exitCodes: false,
    play: () => {},
    close: async () => {},
  };
}
