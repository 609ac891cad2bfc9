import { invalid, type ArmError } from './arm-error';
import { CONSUMPTION_PROFILE, type EnvironmentFacts, type WorkloadProfileFacts } from './facts';

/** The resource fields of a container as the wire carries them. */
export interface ContainerResourcesInput {
  name?: string;
  resources?: { cpu?: number; memory?: string };
}

/**
 * What a container gets when it names no cpu or memory: 0.5 / 1Gi (an init container deployed
 * without resources got 0.5 cores: microsoft/azure-container-apps#1189).
 */
const DEFAULT_CPU = 0.5;
const DEFAULT_MEMORY_GI = 1;

const QUANTITY = /^(\d+(?:\.\d+)?)(Gi|Mi)$/;

/** `"1.5Gi"` → 1.5, `"512Mi"` → 0.5; NaN for anything else. */
export function memoryGi(memory: string | undefined): number {
  if (memory === undefined) return DEFAULT_MEMORY_GI;
  const m = QUANTITY.exec(memory);
  if (!m) return Number.NaN;
  return m[2] === 'Gi' ? Number(m[1]) : Number(m[1]) / 1024;
}

export const cpuOf = (c: ContainerResourcesInput): number => c.resources?.cpu ?? DEFAULT_CPU;

/** The sum over the app containers (init containers run before them and are not added). */
export function totals(containers: readonly ContainerResourcesInput[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of containers) {
    cpu += cpuOf(c);
    memory += memoryGi(c.resources?.memory);
  }
  return { cpu: round(cpu), memory: round(memory) };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
/** ACA prints pairs as `1.0`, `0.25`. */
const figure = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/** The Consumption ladder up to `maxCpu`: 0.25-core steps with 2 GiB per core (Learn "Containers"). */
function ladder(maxCpu: number): Array<{ cpu: number; memory: number }> {
  return Array.from({ length: Math.round(maxCpu / 0.25) }, (_, i) => ({ cpu: (i + 1) * 0.25, memory: (i + 1) * 0.5 }));
}

function totalError(cpu: number, memory: number, allowed: string): ArmError {
  return invalid(
    'ContainerAppInvalidResourceTotal',
    `The total requested CPU and memory resources for this application (CPU: ${cpu}, memory: ${Number.isNaN(memory) ? 'invalid' : memory}) is invalid. ${allowed}`,
  );
}

/** The profile a job runs on, or an error when the environment has no such profile. */
export function workloadProfile(facts: EnvironmentFacts, workloadProfileName: string | undefined, environment: string): WorkloadProfileFacts | ArmError {
  if (facts.type === 'consumption') {
    if (workloadProfileName === undefined) return { name: CONSUMPTION_PROFILE, workloadProfileType: 'Consumption', cores: 2, memoryGi: 4 };
    return invalid('WorkloadProfileNotFound', `The managed environment '${environment}' has no workload profiles; remove workloadProfileName '${workloadProfileName}'.`, 'properties.workloadProfileName');
  }
  const name = workloadProfileName ?? CONSUMPTION_PROFILE;
  const profile = facts.workloadProfiles.find((p) => p.name.toLowerCase() === name.toLowerCase());
  return profile ?? invalid('WorkloadProfileNotFound', `Workload profile '${name}' was not found in managed environment '${environment}'.`, 'properties.workloadProfileName');
}

/**
 * ACA's CPU/memory rules for one replica (Learn "Containers in Azure Container Apps"; the message:
 * Azure/bicep-types-az#1924, Azure/bicep#10821):
 * - Consumption (a Consumption-only environment: up to 2 cores; the Consumption profile of a
 *   workload-profiles environment: up to its cores, 4): the app containers' sum is a ladder pair.
 * - Dedicated profile: the sum fits in the profile's cores and memory, any ratio.
 * - cpu has at most two decimals.
 * - An init container gets no more cpu than the app containers together
 *   (ContainerAppInitContainersInvalidCpu, microsoft/azure-container-apps#1189).
 */
export function resourceError(
  containers: readonly ContainerResourcesInput[],
  initContainers: readonly ContainerResourcesInput[],
  profile: WorkloadProfileFacts,
): ArmError | undefined {
  const { cpu, memory } = totals(containers);
  const twoDecimals = [...containers, ...initContainers].every((c) => Math.abs(cpuOf(c) * 100 - Math.round(cpuOf(c) * 100)) < 1e-9);
  if (profile.workloadProfileType === 'Consumption') {
    const pairs = ladder(profile.cores);
    const ok = twoDecimals && pairs.some((p) => Math.abs(p.cpu - cpu) < 1e-9 && Math.abs(p.memory - memory) < 1e-9);
    if (!ok) {
      const list = pairs.map((p) => `[cpu: ${figure(p.cpu)}, memory: ${figure(p.memory)}Gi]`).join('; ');
      return totalError(cpu, memory, `Total CPU and memory for all containers defined in a Container App must add up to one of the following CPU - Memory combinations: ${list}`);
    }
  } else if (!twoDecimals || !(cpu > 0 && cpu <= profile.cores && memory > 0 && memory <= profile.memoryGi)) {
    return totalError(cpu, memory, `Total CPU and memory for all containers must not exceed the workload profile '${profile.name}' (${profile.workloadProfileType}): CPU ${profile.cores}, memory ${profile.memoryGi}Gi.`);
  }
  const greedy = initContainers.find((c) => cpuOf(c) > cpu + 1e-9);
  if (greedy) {
    return invalid(
      'ContainerAppInitContainersInvalidCpu',
      `Invalid CPU value ${cpuOf(greedy)} for init container ${greedy.name ?? ''} ,an init container can not be allocated more CPU than the total CPU ${cpu} allocated for all app containers.`,
    );
  }
  return undefined;
}
