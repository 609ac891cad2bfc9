// Docker's CPU and memory limits mapped onto the CPU/memory pairs an ACA replica can have:
// steps of 0.25 CPU with 2Gi of memory per CPU, up to what the environment allows. A
// Consumption-only (legacy) environment stops at 2 CPU / 4Gi; the Consumption workload profile
// goes to 4 CPU / 8Gi; a dedicated profile to its cores (D4: 4, E8: 8, …), kept on the same ladder.
// https://learn.microsoft.com/azure/container-apps/containers#allocations

/** What one job's main container gets from ACA. */
export interface AcaPair {
  cpu: number;
  /** ACA's quantity, e.g. `1Gi`, `0.5Gi`. */
  memory: string;
}

/** The HostConfig fields that ask for CPU or memory (the rest of HostConfig is ignored). */
export interface ResourceAsk {
  [field: string]: unknown;
  NanoCpus?: unknown;
  CpuQuota?: unknown;
  CpuPeriod?: unknown;
  CpuShares?: unknown;
  Memory?: unknown;
}

export interface ResourceChoice {
  pair: AcaPair;
  /** Said once to the user when the pair is not exactly what was asked; undefined when it is. */
  warning?: string;
}

/** A request no ACA pair can satisfy; its message names the allowed range. */
export class ResourceRangeError extends Error {}

/** What the environment lets one replica have, and the workload profile jobs must name to get it. */
export interface ResourceLimits {
  /** Largest pair, in 0.25 CPU steps (8: 2 CPU / 4Gi; 16: 4 CPU / 8Gi). */
  maxSteps: number;
  /** The allowed range, as said in a refusal. */
  range: string;
  /** The job's `workloadProfileName`; absent in a Consumption-only environment (which has none). */
  workloadProfileName?: string;
}

const CPU_STEP = 0.25;
const GIB = 1024 ** 3;
const BYTES_PER_STEP = GIB / 2; // each 0.25 CPU step brings 0.5Gi
const DEFAULT_CPU_PERIOD = 100_000; // µs, the kernel's CFS default
const DEFAULT_CPU_SHARES = 1024;

export const ALLOWED_RANGE =
  'Azure Container Apps (consumption) runs a container with 0.25 to 4 CPUs in steps of 0.25, and 2Gi of memory per CPU (0.5Gi to 8Gi)';

/** The Consumption workload profile: 4 CPU / 8Gi. */
export const CONSUMPTION_PROFILE: ResourceLimits = { maxSteps: 16, range: ALLOWED_RANGE, workloadProfileName: 'Consumption' };

/** A Consumption-only environment (no workload profiles): 2 CPU / 4Gi. */
export const CONSUMPTION_ONLY: ResourceLimits = {
  maxSteps: 8,
  range: 'Azure Container Apps (Consumption-only environment) runs a container with 0.25 to 2 CPUs in steps of 0.25, and 2Gi of memory per CPU (0.5Gi to 4Gi); larger sizes need an environment with workload profiles',
};

/** An environment's workload profile, as ManagedEnvironments_Get lists it. */
export interface WorkloadProfileInfo {
  name: string;
  workloadProfileType: string;
}

/**
 * The limits jobs get in an environment: Consumption-only without workload profiles; else the
 * profile named `wanted` (SOCKERLESS_ACA_WORKLOAD_PROFILE), or the Consumption one. A dedicated
 * profile's cores come from its type (D4, E16, …; NC* GPU types are not mapped).
 */
export function limitsForEnvironment(profiles: readonly WorkloadProfileInfo[] | undefined, wanted?: string): ResourceLimits {
  if (!profiles?.length) {
    if (wanted) throw new ResourceRangeError(`SOCKERLESS_ACA_WORKLOAD_PROFILE=${wanted}, but the environment has no workload profiles (Consumption only)`);
    return CONSUMPTION_ONLY;
  }
  const names = profiles.map((p) => p.name).join(', ');
  const profile = wanted
    ? profiles.find((p) => p.name.toLowerCase() === wanted.toLowerCase())
    : profiles.find((p) => p.workloadProfileType.toLowerCase() === 'consumption');
  if (!profile) {
    throw new ResourceRangeError(wanted
      ? `SOCKERLESS_ACA_WORKLOAD_PROFILE=${wanted} names no workload profile of the environment (it has ${names})`
      : `the environment has no Consumption workload profile (it has ${names}): set SOCKERLESS_ACA_WORKLOAD_PROFILE to one of them`);
  }
  if (profile.workloadProfileType.toLowerCase() === 'consumption') return { ...CONSUMPTION_PROFILE, workloadProfileName: profile.name };
  const cores = /^[DE](\d+)$/i.exec(profile.workloadProfileType)?.[1];
  if (cores === undefined) {
    throw new ResourceRangeError(`workload profile ${profile.name} has type ${profile.workloadProfileType}, whose size the daemon does not know: use a Consumption, D* or E* profile`);
  }
  const n = Number(cores);
  return {
    maxSteps: n / CPU_STEP,
    range: `Azure Container Apps (workload profile ${profile.name}, ${profile.workloadProfileType}) runs a container with 0.25 to ${n} CPUs in steps of 0.25, and 2Gi of memory per CPU (0.5Gi to ${n * 2}Gi)`,
    workloadProfileName: profile.name,
  };
}

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
/** A tolerance for binary fractions: 0.3 / 0.25 must not round up to 2 steps because of 1.2000000000000002. */
const stepsFor = (ratio: number) => Math.ceil(ratio - 1e-9);

export function pairOf(steps: number): AcaPair {
  const cpu = steps * CPU_STEP;
  return { cpu, memory: `${cpu * 2}Gi` };
}

/** Whether cpu/memory form one of the allowed pairs (as `4`, `"8Gi"`). */
export function isAllowedPair(cpu: number, memory: string, limits: ResourceLimits = CONSUMPTION_PROFILE): boolean {
  const steps = cpu / CPU_STEP;
  return Number.isInteger(steps) && steps >= 1 && steps <= limits.maxSteps && memory === pairOf(steps).memory;
}

/** The pair for a default setting: `cpu` alone, or with a memory that must match it. */
export function defaultPair(cpu: number, memory?: string, limits: ResourceLimits = CONSUMPTION_PROFILE): AcaPair {
  const pair = { cpu, memory: memory ?? pairOf(cpu / CPU_STEP).memory };
  if (!isAllowedPair(pair.cpu, pair.memory, limits)) throw new ResourceRangeError(`default resources ${cpu} CPU / ${pair.memory}: ${limits.range}`);
  return pair;
}

/** CPUs asked with --cpus, or with --cpu-quota/--cpu-period; undefined when neither is set. */
function cpusAsked(ask: ResourceAsk): number | undefined {
  const nano = positive(ask.NanoCpus);
  if (nano !== undefined) return nano / 1e9;
  const quota = positive(ask.CpuQuota);
  if (quota !== undefined) return quota / (positive(ask.CpuPeriod) ?? DEFAULT_CPU_PERIOD);
  return undefined;
}

function checkNotNegative(ask: ResourceAsk, range: string): void {
  for (const field of ['NanoCpus', 'CpuQuota', 'CpuPeriod', 'CpuShares', 'Memory'] as const) {
    const v = ask[field];
    // CpuQuota -1 is the kernel's "no limit".
    if (typeof v === 'number' && v < 0 && !(field === 'CpuQuota' && v === -1)) throw new ResourceRangeError(`invalid ${field} ${v}: ${range}`);
  }
}

const describeCpus = (n: number) => `${Number(n.toFixed(3))} CPU`;
const describeBytes = (b: number) => (b % GIB === 0 ? `${b / GIB}GiB` : b % 1024 ** 2 === 0 ? `${b / 1024 ** 2}MiB` : `${b} bytes`);

/**
 * The smallest allowed pair that gives at least what was asked (never less); the default pair
 * when nothing is. CPU shares are a weight relative to 1024, so they only scale the default CPU,
 * clamped into the range rather than refused.
 */
export function acaResources(ask: ResourceAsk, defaults: AcaPair, limits: ResourceLimits = CONSUMPTION_PROFILE): ResourceChoice {
  const MAX_STEPS = limits.maxSteps;
  checkNotNegative(ask, limits.range);
  const cpus = cpusAsked(ask);
  const memory = positive(ask.Memory);
  if (cpus !== undefined && cpus > MAX_STEPS * CPU_STEP) throw new ResourceRangeError(`${limits.range}; ${describeCpus(cpus)}s were asked`);
  if (memory !== undefined && memory > MAX_STEPS * BYTES_PER_STEP) throw new ResourceRangeError(`${limits.range}; ${describeBytes(memory)} of memory was asked`);

  if (cpus === undefined && memory === undefined) {
    const shares = positive(ask.CpuShares);
    if (shares === undefined || shares === DEFAULT_CPU_SHARES) return { pair: defaults };
    const steps = Math.min(MAX_STEPS, Math.max(1, stepsFor((defaults.cpu * shares) / DEFAULT_CPU_SHARES / CPU_STEP)));
    const pair = pairOf(steps);
    return { pair, warning: `CPU shares are a relative weight, which Azure Container Apps does not have: ${shares} shares run with ${pair.cpu} CPU and ${pair.memory} memory (the default ${defaults.cpu} CPU scaled by ${shares}/1024)` };
  }

  const steps = Math.max(1, cpus === undefined ? 0 : stepsFor(cpus / CPU_STEP), memory === undefined ? 0 : stepsFor(memory / BYTES_PER_STEP));
  const pair = pairOf(steps);
  const exact = (cpus === undefined || cpus === pair.cpu) && (memory === undefined || memory === pair.cpu * 2 * GIB);
  if (exact) return { pair };
  const asked = [cpus !== undefined && describeCpus(cpus), memory !== undefined && `${describeBytes(memory)} memory`].filter(Boolean).join(', ');
  return { pair, warning: `Azure Container Apps runs this container with ${pair.cpu} CPU and ${pair.memory} memory, the smallest allowed pair that covers what was asked (${asked})` };
}
