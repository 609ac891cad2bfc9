import { describe, expect, it } from 'vitest';
import type { AcaConfig } from '../../src/config';
import type { JobSpec } from '../../src/aca/cloud';
import { environmentId, jobResource } from '../../src/aca/job-resource';

const config = {
  subscriptionId: 'sub1',
  resourceGroup: 'rg1',
  environment: 'env1',
  location: 'westeurope',
} as AcaConfig;

const spec: JobSpec = {
  jobName: 'sockerless-0123456789ab',
  containerId: '0123456789abcdef',
  image: 'busybox:1.36',
  command: ['sh', '-c'],
  args: ['echo hi'],
  env: [{ name: 'A', value: '1' }],
  cpu: 1,
  memory: '2Gi',
  replicaTimeout: 600,
  tags: { team: 'ci' },
};

describe('jobResource', () => {
  // The serializer is not exported; the integration test checks what reaches the wire.
  it('uses the flattened 4.0.0 model (no nested properties)', () => {
    expect(jobResource(config, spec)).toEqual({
      location: 'westeurope',
      tags: { team: 'ci', 'managed-by': 'sockerless', 'sockerless-container-id': '0123456789abcdef' },
      environmentId: '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.App/managedEnvironments/env1',
      configuration: {
        triggerType: 'Manual',
        replicaTimeout: 600,
        replicaRetryLimit: 0,
        manualTriggerConfig: { replicaCompletionCount: 1, parallelism: 1 },
      },
      template: {
        containers: [
          {
            name: 'main',
            image: 'busybox:1.36',
            command: ['sh', '-c'],
            args: ['echo hi'],
            env: [{ name: 'A', value: '1' }],
            resources: { cpu: 1, memory: '2Gi' },
          },
        ],
      },
    });
  });

  it('omits command and args when the spec has none', () => {
    const container = jobResource(config, { ...spec, command: undefined, args: undefined }).template!.containers![0]!;
    expect('command' in container).toBe(false);
    expect('args' in container).toBe(false);
  });

  it('does not let spec tags override the sockerless tags', () => {
    const tags = jobResource(config, { ...spec, tags: { 'managed-by': 'someone-else' } }).tags;
    expect(tags?.['managed-by']).toBe('sockerless');
  });

  it('puts Docker volumes in the template and mounts them in the main container only, beside the agent\'s shared dir', () => {
    const template = jobResource(config, {
      ...spec,
      initContainers: [{ name: 'sockerless-agent', image: 'agent:1', command: ['/agent', 'install', '/sockerless'] }],
      sharedDirs: [{ name: 'sockerless-agent', mountPath: '/sockerless' }],
      volumes: [
        { name: 'vol-0', storageType: 'AzureFile', storageName: 'sl-0123456789abcdef-rw', mountPath: '/data' },
        { name: 'vol-1', storageType: 'EmptyDir', mountPath: '/scratch' },
        { name: 'vol-2', storageType: 'AzureFile', storageName: 'sl-fedcba9876543210-ro', mountPath: '/workspace', subPath: 'proj' },
      ],
    }).template!;
    expect(template.volumes).toEqual([
      { name: 'sockerless-agent', storageType: 'EmptyDir' },
      { name: 'vol-0', storageType: 'AzureFile', storageName: 'sl-0123456789abcdef-rw' },
      { name: 'vol-1', storageType: 'EmptyDir' },
      { name: 'vol-2', storageType: 'AzureFile', storageName: 'sl-fedcba9876543210-ro' },
    ]);
    expect(template.containers![0]!.volumeMounts).toEqual([
      { volumeName: 'sockerless-agent', mountPath: '/sockerless' },
      { volumeName: 'vol-0', mountPath: '/data' },
      { volumeName: 'vol-1', mountPath: '/scratch' },
      { volumeName: 'vol-2', mountPath: '/workspace', subPath: 'proj' },
    ]);
    expect(template.initContainers![0]!.volumeMounts).toEqual([{ volumeName: 'sockerless-agent', mountPath: '/sockerless' }]);
  });

  it('builds the managed environment id', () => {
    expect(environmentId(config)).toBe(
      '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.App/managedEnvironments/env1',
    );
  });
});
