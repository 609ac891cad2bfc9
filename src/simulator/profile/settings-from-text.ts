import type { EnvironmentType, LogDestination, SimulatorOptions, WorkloadProfile } from '../options';
import { parseFigureOverrides, profileName, timeScaleValue } from './resolve';

/** The profile settings as text, from the CLI's flags or the daemon's environment. */
export interface ProfileText {
  profile?: string;
  timeScale?: string;
  seed?: string;
  figures?: string[];
  environmentType?: string;
  workloadProfiles?: string;
  logDestination?: string;
}

export function choice<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${what} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

export function workloadProfiles(text: string | undefined, what: string): WorkloadProfile[] | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what}: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new Error(`${what}: a JSON array of {name, workloadProfileType, cores, memoryGi}`);
  return value as WorkloadProfile[];
}

export function seedValue(text: string | undefined, what: string): number | undefined {
  const seed = text === undefined || text === '' ? undefined : Number(text);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new Error(`${what} must be a non-negative integer, got '${text}'`);
  return seed;
}

/** Simulator options from text; `names` says what each came from, for the error messages. */
export function profileOptions(text: ProfileText, names: Record<keyof ProfileText, string>): SimulatorOptions {
  const seed = seedValue(text.seed, names.seed);
  const figures: NonNullable<SimulatorOptions['figures']> = Object.assign({}, ...(text.figures ?? []).map((t) => parseFigureOverrides(t, names.figures)));
  const options: SimulatorOptions = {
    profile: profileName(text.profile, names.profile),
    timeScale: timeScaleValue(text.timeScale, names.timeScale),
    seed,
    figures: Object.keys(figures).length ? figures : undefined,
    environmentType: choice<EnvironmentType>(text.environmentType, ['consumption', 'workload-profiles'], names.environmentType),
    workloadProfiles: workloadProfiles(text.workloadProfiles, names.workloadProfiles),
    logDestination: choice<LogDestination>(text.logDestination, ['log-analytics', 'azure-monitor', 'none'], names.logDestination),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
