// The daemon's configuration: every environment variable it reads, parsed once at start into one
// typed object that is handed down. The README's settings tables are made from the same specs
// (`npm run docs:settings`).
import { z } from 'zod';
import type { SimulatorOptions } from '../simulator/options';
import { DAEMON_SETTINGS } from './daemon-settings';
import type { Setting } from './setting';
import { SIMULATOR_SETTINGS } from './simulator-settings';

export { DAEMON_SETTINGS } from './daemon-settings';
export { SIMULATOR_SETTINGS } from './simulator-settings';

type ValuesOf<S extends Record<string, Setting<unknown>>> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export type DaemonSettings = ValuesOf<typeof DAEMON_SETTINGS>;
export type SimulatorSettings = ValuesOf<typeof SIMULATOR_SETTINGS>;
/** Everything the daemon reads from its environment, parsed. */
export type Settings = DaemonSettings & SimulatorSettings;

export const ALL_SETTINGS = { ...DAEMON_SETTINGS, ...SIMULATOR_SETTINGS };

/** Variables as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

/** Every bad value of a start, one message a line. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

function parseWith<S extends Record<string, Setting<unknown>>>(specs: S, env: Environment): ValuesOf<S> {
  const shape = Object.fromEntries(Object.entries(specs).map(([key, s]) => [key, s.schema]));
  const byKey = Object.fromEntries(Object.entries(specs).map(([key, s]) => [key, env[s.name]]));
  const result = z.object(shape).safeParse(byKey);
  if (!result.success) throw new SettingsError(result.error.issues.map((i) => i.message));
  return result.data as ValuesOf<S>;
}

/** The daemon's settings from `env`; throws a SettingsError with every problem. */
export function parseSettings(env: Environment): Settings {
  const settings = { ...parseWith(DAEMON_SETTINGS, env), ...parseWith(SIMULATOR_SETTINGS, env) };
  const problems = crossChecks(settings);
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

/** Only the SOCKERLESS_SIM_* settings (`npm run simulator`). */
export function parseSimulatorSettings(env: Environment): SimulatorSettings {
  return parseWith(SIMULATOR_SETTINGS, env);
}

/** The daemon's settings from this process's environment: the one place the daemon reads it. */
export function settingsFromProcess(): Settings {
  return parseSettings(process.env);
}

/** The simulator's settings from this process's environment (`npm run simulator`). */
export function simulatorSettingsFromProcess(): SimulatorSettings {
  return parseSimulatorSettings(process.env);
}

/** Settings that are fine alone but not together. */
function crossChecks(s: Settings): string[] {
  const problems: string[] = [];
  if (s.subscriptionId !== undefined) {
    const missing = [
      ...(s.resourceGroup === undefined ? [DAEMON_SETTINGS.resourceGroup.name] : []),
      ...(s.environment === undefined ? [DAEMON_SETTINGS.environment.name] : []),
    ];
    if (missing.length) problems.push(`SOCKERLESS_ACA_SUBSCRIPTION_ID is set, so ${missing.join(' and ')} must be set too`);
    if (s.endpoint !== undefined && (s.azureTenantId === undefined || s.azureClientId === undefined || s.azureClientSecret === undefined)) {
      problems.push('SOCKERLESS_ACA_ENDPOINT is set, so AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET must be set too (the client secret the endpoint accepts)');
    }
  }
  if (s.agent === 'image' && s.agentImage === undefined) {
    problems.push('SOCKERLESS_AGENT=image needs SOCKERLESS_AGENT_IMAGE (the image `npm run agent:push` published)');
  }
  return problems;
}

/** The simulator options the SOCKERLESS_SIM_* settings ask for (only those set). */
export function simulatorOptionsFrom(s: SimulatorSettings): SimulatorOptions {
  const options: SimulatorOptions = {
    profile: s.simProfile,
    timeScale: s.simTimeScale,
    seed: s.simSeed,
    figures: s.simFigures && Object.keys(s.simFigures).length ? s.simFigures : undefined,
    environmentType: s.simEnvironmentType,
    workloadProfiles: s.simWorkloadProfiles,
    logDestination: s.simLogDestination,
    faults: s.simFaults,
    armThrottle: s.simArmThrottle,
    imageFallback: s.simImageFallback,
    imageCacheBytes: s.simImageCacheBytes,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
