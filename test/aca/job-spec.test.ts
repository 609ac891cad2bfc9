import { describe, expect, it } from 'vitest';
import type { AcaConfig } from '../../src/config';
import type { JobSpec } from '../../src/aca/cloud';
import { environmentId, jobResource } from '../../src/aca/job-spec';

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

  it('builds the managed environment id', () => {
    expect(environmentId(config)).toBe(
      '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.App/managedEnvironments/env1',
    );
  });
});
