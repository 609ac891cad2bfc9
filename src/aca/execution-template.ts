import type { JobExecutionTemplate } from '@azure/arm-appcontainers';
import type { JobSpec } from './cloud';
import { mainContainer } from './job-resource';

/**
 * What one execution of a shared job runs: Jobs_Start's JobExecutionTemplate, which replaces the
 * job's containers for that execution only (image, command, args, env, resources; no volume
 * mounts, so specs with EmptyDir volumes never share a job).
 */
export function executionTemplate(spec: JobSpec): JobExecutionTemplate {
  return {
    containers: [mainContainer(spec)],
    ...(spec.initContainers?.length && {
      initContainers: spec.initContainers.map((c) => ({ ...c, resources: { cpu: 0.25, memory: '0.5Gi' } })),
    }),
  };
}
