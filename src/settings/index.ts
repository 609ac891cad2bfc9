// The daemon's configuration: every environment variable it reads, parsed once at start into one
// typed object that is handed down. The README's settings tables are made from the same specs
// (`npm run docs:settings`).
import { DAEMON_SETTINGS } from './daemon-settings';
import { parseWith, SettingsError, type Environment, type ValuesOf } from './parse';
import { parseSimulatorSettings, SIMULATOR_SETTINGS, type SimulatorSettings } from './simulator-settings';

export { DAEMON_SETTINGS } from './daemon-settings';
export { SettingsError, type Environment } from './parse';
export { parseSimulatorSettings, SIMULATOR_SETTINGS, simulatorOptionsFrom, simulatorSettingsFromProcess, type SimulatorSettings } from './simulator-settings';

export type DaemonSettings = ValuesOf<typeof DAEMON_SETTINGS>;
/** Everything the daemon reads from its environment, parsed. */
export type Settings = DaemonSettings & SimulatorSettings;

export const ALL_SETTINGS = { ...DAEMON_SETTINGS, ...SIMULATOR_SETTINGS };

/** The daemon's settings from `env`; throws a SettingsError with every problem. */
export function parseSettings(env: Environment): Settings {
  const parts = [() => parseWith(DAEMON_SETTINGS, env), () => parseSimulatorSettings(env)].map((parse) => {
    try {
      return { values: parse() };
    } catch (err) {
      if (err instanceof SettingsError) return { problems: err.problems };
      throw err;
    }
  });
  const problems = parts.flatMap((p) => p.problems ?? []);
  if (problems.length) throw new SettingsError(problems);
  const settings = Object.assign({}, ...parts.map((p) => p.values)) as Settings;
  const together = crossChecks(settings);
  if (together.length) throw new SettingsError(together);
  return settings;
}

/** The daemon's settings from this process's environment: the one place the daemon reads it. */
export function settingsFromProcess(): Settings {
  return parseSettings(process.env);
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
