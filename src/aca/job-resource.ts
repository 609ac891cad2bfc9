import type { Job } from '@azure/arm-appcontainers';
import type { AcaConfig } from '../config';
import { INSTANCE_TAG, type JobSpec } from './cloud';

export function environmentId(config: AcaConfig): string {
  return (
    `/subscriptions/${config.subscriptionId}/resourceGroups/${config.resourceGroup}` +
    `/providers/Microsoft.App/managedEnvironments/${config.environment}`
  );
}

/**
 * The ACA job resource for a spec. arm-appcontainers 4.0.0 models are flattened: the serializer
 * moves environmentId/configuration/template under `properties` (a nested `properties` is dropped).
 */
export function jobResource(config: AcaConfig, spec: JobSpec): Job {
  const shared = spec.sharedDirs ?? [];
  const volumeMounts = shared.length ? { volumeMounts: shared.map((d) => ({ volumeName: d.name, mountPath: d.mountPath })) } : {};
  const own = spec.volumes ?? [];
  const mainMounts = [...(volumeMounts.volumeMounts ?? []), ...own.map((v) => ({ volumeName: v.name, mountPath: v.mountPath, ...(v.subPath && { subPath: v.subPath }) }))];
  const templateVolumes = [
    ...shared.map((d) => ({ name: d.name, storageType: 'EmptyDir' as const })),
    ...own.map((v) => (v.storageType === 'AzureFile' ? { name: v.name, storageType: 'AzureFile' as const, storageName: v.storageName } : { name: v.name, storageType: 'EmptyDir' as const })),
  ];
  return {
    location: config.location,
    tags: {
      ...spec.tags,
      'managed-by': 'sockerless',
      // A shared job (spec.containerId empty) belongs to no one container: its shape tag says what it is.
      ...(spec.containerId && { 'sockerless-container-id': spec.containerId }),
      ...(config.instanceId !== undefined && { [INSTANCE_TAG]: config.instanceId }),
    },
    ...(spec.identity && { identity: managedIdentity(spec.identity) }),
    environmentId: environmentId(config),
    ...(spec.workloadProfileName && { workloadProfileName: spec.workloadProfileName }),
    configuration: {
      triggerType: 'Manual',
      replicaTimeout: spec.replicaTimeout,
      replicaRetryLimit: 0,
      manualTriggerConfig: { replicaCompletionCount: 1, parallelism: 1 },
      ...(spec.secrets?.length && { secrets: spec.secrets.map(({ name, value }) => ({ name, value })) }),
      ...(spec.registries?.length && { registries: spec.registries.map((r) => ({ ...r })) }),
    },
    template: {
      containers: [
        { ...mainContainer(spec), ...(mainMounts.length && { volumeMounts: mainMounts }) },
      ],
      ...(spec.initContainers?.length && {
        initContainers: spec.initContainers.map((c) => ({ ...c, resources: { cpu: 0.25, memory: '0.5Gi' }, ...volumeMounts })),
      }),
      ...(templateVolumes.length && { volumes: templateVolumes }),
    },
  };
}

/** The job's `identity` envelope for `system` or a user-assigned identity's resource id. */
function managedIdentity(identity: string): NonNullable<Job['identity']> {
  if (identity === 'system') return { type: 'SystemAssigned' };
  return { type: 'UserAssigned', userAssignedIdentities: { [identity]: {} } };
}

/** The job's main container: the same in the job's template and in a Jobs_Start template. */
export function mainContainer(spec: JobSpec) {
  return {
    name: 'main',
    image: spec.image,
    ...(spec.command !== undefined && { command: spec.command }),
    ...(spec.args !== undefined && { args: spec.args }),
    env: spec.env.map((e) => ('secretRef' in e ? { name: e.name, secretRef: e.secretRef } : { name: e.name, value: e.value })),
    resources: { cpu: spec.cpu, memory: spec.memory },
  };
}
