// The SOCKERLESS_SIM_* variables: read by the daemon's embedded simulator and by `npm run
// simulator` (where a flag wins over its variable).
import { armThrottleSchema, faultPlanSchema, parseJsonSetting } from '../simulator/faults';
import type { ImageFallback } from '../simulator/images/image-store';
import type { EnvironmentType, LogDestination } from '../simulator/options';
import { parseFigureOverrides, profileName, timeScaleValue } from '../simulator/profile/resolve';
import { choice, seedValue, workloadProfiles } from '../simulator/profile/settings-from-text';
import type { SimulatorOptions } from '../simulator/options';
import { blank } from './kinds';
import { parseWith, type Environment, type ValuesOf } from './parse';
import { setting } from './setting';

export const SIMULATOR_SETTINGS = {
  simProfile: setting({
    name: 'SOCKERLESS_SIM_PROFILE', table: 'simulator', flag: '--profile', value: '`instant` or `azure`', default: '`instant`',
    description: '`azure` models Azure\'s timing and log delivery (the figures below)', parse: (raw, name) => profileName(blank(raw), name),
  }),
  simTimeScale: setting({
    name: 'SOCKERLESS_SIM_TIME_SCALE', table: 'simulator', flag: '--time-scale', value: 'a number above 0', default: '1',
    description: 'multiplies every duration figure; counts and the query rate window stay', parse: (raw, name) => timeScaleValue(blank(raw), name),
  }),
  simSeed: setting({
    name: 'SOCKERLESS_SIM_SEED', table: 'simulator', flag: '--seed', value: 'integer, 0 or more', default: '1',
    description: 'seed of the latency draws', parse: (raw, name) => seedValue(blank(raw), name),
  }),
  simFigures: setting({
    name: 'SOCKERLESS_SIM_FIGURES', table: 'simulator', flag: '--figure name=v', value: '`name=v,…`: one value, or `min:median:max`', default: '',
    description: 'override a figure below, at full scale (the flag is repeatable)',
    parse: (raw, name) => {
      const given = blank(raw);
      return given === undefined ? undefined : parseFigureOverrides(given, name);
    },
  }),
  simEnvironmentType: setting({
    name: 'SOCKERLESS_SIM_ENVIRONMENT_TYPE', table: 'simulator', flag: '--environment-type', value: '`workload-profiles` or `consumption`', default: '`workload-profiles`',
    description: 'the environment\'s plan', parse: (raw, name) => choice<EnvironmentType>(blank(raw), ['consumption', 'workload-profiles'], name),
  }),
  simWorkloadProfiles: setting({
    name: 'SOCKERLESS_SIM_WORKLOAD_PROFILES', table: 'simulator', flag: '--workload-profiles', value: 'JSON `[{"name","workloadProfileType","cores","memoryGi"}]`', default: 'the Consumption profile (4 cores, 8 GiB)',
    description: 'the environment\'s workload profiles', parse: (raw, name) => workloadProfiles(blank(raw), name),
  }),
  simLogDestination: setting({
    name: 'SOCKERLESS_SIM_LOG_DESTINATION', table: 'simulator', flag: '--log-destination', value: '`log-analytics`, `azure-monitor` or `none`', default: '`log-analytics`',
    description: 'where the environment\'s console logs go (applies to both profiles)',
    parse: (raw, name) => choice<LogDestination>(blank(raw), ['log-analytics', 'azure-monitor', 'none'], name),
  }),
  simFaults: setting({
    name: 'SOCKERLESS_SIM_FAULTS', table: 'simulator', flag: '--faults', value: 'JSON `{"seed":N,"rules":[…]}`, or `@file`', default: '',
    description: 'the fault plan (see "Fault injection")',
    parse: (raw, name) => (blank(raw) === undefined ? undefined : parseJsonSetting(faultPlanSchema, raw!.trim(), name)),
  }),
  simArmThrottle: setting({
    name: 'SOCKERLESS_SIM_ARM_THROTTLE', table: 'simulator', flag: '--arm-throttle', value: 'JSON `{"reads":{"bucket","refillPerSecond"},"writes":{…}}`, or `@file`', default: '',
    description: 'ARM\'s token buckets per subscription (see "Fault injection")',
    parse: (raw, name) => (blank(raw) === undefined ? undefined : parseJsonSetting(armThrottleSchema, raw!.trim(), name)),
  }),
  simImageFallback: setting({
    name: 'SOCKERLESS_SIM_IMAGE_FALLBACK', table: 'simulator', flag: '--image-fallback', value: '`host` or `error`', default: '`host`',
    description: 'an image whose registry cannot be reached and that is not cached: run on the fallback root, or fail with `ImagePullFailure` (see "Images in the simulator")',
    parse: (raw, name): ImageFallback | undefined => {
      const given = blank(raw);
      if (given !== undefined && given !== 'host' && given !== 'error') throw new Error(`${name} must be host or error, got '${given}'`);
      return given;
    },
  }),
  simImageCacheBytes: setting({
    name: 'SOCKERLESS_SIM_IMAGE_CACHE_BYTES', table: 'simulator', flag: '--image-cache-bytes', value: 'bytes', default: '10 GiB',
    description: 'the bound of the image layer cache (never what a running replica uses)',
    parse: (raw, name) => {
      const given = blank(raw);
      if (given !== undefined && !/^\d+$/.test(given)) throw new Error(`${name} must be a number of bytes, got '${given}'`);
      return given === undefined ? undefined : Number(given);
    },
  }),
};

export type SimulatorSettings = ValuesOf<typeof SIMULATOR_SETTINGS>;

/** Only the SOCKERLESS_SIM_* settings (`npm run simulator`). */
export function parseSimulatorSettings(env: Environment): SimulatorSettings {
  return parseWith(SIMULATOR_SETTINGS, env);
}

/** The simulator's settings from this process's environment (`npm run simulator`). */
export function simulatorSettingsFromProcess(): SimulatorSettings {
  return parseSimulatorSettings(process.env);
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
