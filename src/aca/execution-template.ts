import type { JobExecutionTemplate } from '@azure/arm-appcontainers';
import type { JobSpec } from './cloud';

/**
 * What one execution of a shared job runs: Jobs_Start's JobExecutionTemplate, which replaces the
 * job's containers for that execution only (image, command, args, env, resources; no volume
 * mounts, so specs with EmptyDir volumes never share a job).
 */
export function executionTemplate(spec: JobSpec): JobExecutionTemplate {
  return {
    containers: [
      {
        name: 'main',
        image: spec.image,
        ...(spec.command !== undefined && { command: spec.command }),
        ...(spec.args !== undefined && { args: spec.args }),
        env: spec.env.map((e) => ('secretRef' in e ? { name: e.name, secretRef: e.secretRef } : { name: e.name, value: e.value })),
        resources: { cpu: spec.cpu, memory: spec.memory },
      },
    ],
    ...(spec.initContainers?.length && {
      initContainers: spec.initContainers.map((c) => ({ ...c, resources: { cpu: 0.25, memory: '0.5Gi' } })),
    }),
  };
}
