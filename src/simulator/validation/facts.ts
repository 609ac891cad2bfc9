/**
 * What validation needs to know about the managed environment. The figures of the defaults are
 * Learn's "Quotas for Azure Container Apps" page: a workload-profiles environment's Consumption
 * profile gives a replica up to 4 cores / 8 GiB, and an environment 100 cores.
 */
export interface WorkloadProfileFacts {
  name: string;
  /** `Consumption`, or a dedicated size such as `D4`, `E8`. */
  workloadProfileType: string;
  /** Per replica: the ladder's top for Consumption, the node's size for a dedicated profile. */
  cores: number;
  memoryGi: number;
}

export interface EnvironmentFacts {
  /** `consumption`: a Consumption-only (legacy) environment; `workload-profiles`: the v2 kind. */
  type: 'consumption' | 'workload-profiles';
  /** The profiles of a workload-profiles environment (ignored for `consumption`). */
  workloadProfiles: WorkloadProfileFacts[];
  /** The environment's core quota: cores of running executions together. */
  maxCores: number;
}

export const CONSUMPTION_PROFILE = 'Consumption';

export const DEFAULT_ENVIRONMENT_FACTS: EnvironmentFacts = {
  type: 'workload-profiles',
  workloadProfiles: [{ name: CONSUMPTION_PROFILE, workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 }],
  maxCores: 100,
};
