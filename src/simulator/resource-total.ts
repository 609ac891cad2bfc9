import type { ContainerSpec } from './job-schema';

const GI = /^(\d+(?:\.\d+)?)Gi$/;

/**
 * ARM's check of a consumption job's resources: the main containers' CPU and memory must add up
 * to one of the allowed pairs (0.25 to 4 CPUs in 0.25 steps, 2Gi per CPU). Undefined when they do
 * or when none are given; otherwise the message ACA answers with.
 */
export function invalidResourceTotal(containers: readonly ContainerSpec[]): string | undefined {
  const given = containers.filter((c) => c.resources?.cpu !== undefined || c.resources?.memory !== undefined);
  if (given.length === 0) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const c of given) {
    cpu += c.resources?.cpu ?? 0;
    const m = GI.exec(c.resources?.memory ?? '');
    memory += m ? Number(m[1]) : NaN;
  }
  const steps = Math.round(cpu / 0.25);
  const valid = Math.abs(steps * 0.25 - cpu) < 1e-9 && steps >= 1 && steps <= 16 && Math.abs(memory - cpu * 2) < 1e-9;
  if (valid) return undefined;
  const pairs = Array.from({ length: 16 }, (_, i) => `[cpu: ${(i + 1) * 0.25}, memory: ${(i + 1) * 0.5}Gi]`).join('; ');
  return (
    `The total requested CPU and memory resources for this application (CPU: ${cpu}, memory: ${Number.isNaN(memory) ? 'invalid' : `${memory}Gi`}) is invalid. ` +
    `Total CPU and memory for all containers defined in a Container App Job must add up to one of the following CPU - Memory combinations: ${pairs}`
  );
}
