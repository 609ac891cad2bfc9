import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/aca/cloud';
import { jobShapeKey, sharedJobName, unshareableReason } from '../../src/aca/job-shape';

const ENV = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env';
const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  jobName: 'sockerless-aaaaaaaaaaaa', containerId: 'a'.repeat(64), image: 'alpine', env: [], cpu: 1, memory: '2Gi', replicaTimeout: 600, ...over,
});

describe('job shape key', () => {
  it('ignores what an execution template carries: image, command, args, env, resources, the container', () => {
    const a = spec();
    const b = spec({ jobName: 'sockerless-bbbbbbbbbbbb', containerId: 'b'.repeat(64), image: 'busybox', command: ['sh'], args: ['-c', 'true'], env: [{ name: 'X', value: '1' }], cpu: 2, memory: '4Gi' });
    expect(jobShapeKey(a, ENV)).toBe(jobShapeKey(b, ENV));
  });

  it('changes with every job-level setting', () => {
    const base = jobShapeKey(spec(), ENV);
    const variants: Partial<JobSpec>[] = [
      { replicaTimeout: 60 },
      { workloadProfileName: 'Consumption' },
      { identity: 'system' },
      { registries: [{ server: 'r.azurecr.io', identity: 'system' }] },
      { secrets: [{ name: 'registry-r', value: 'p1' }] },
      { tags: { team: 'x' } },
    ];
    for (const v of variants) expect(jobShapeKey(spec(v), ENV), JSON.stringify(v)).not.toBe(base);
    expect(jobShapeKey(spec(), `${ENV}2`)).not.toBe(base);
    // A secret's value counts (as a digest), not only its name.
    expect(jobShapeKey(spec({ secrets: [{ name: 's', value: 'one' }] }), ENV)).not.toBe(jobShapeKey(spec({ secrets: [{ name: 's', value: 'two' }] }), ENV));
  });

  it('does not depend on the order registries and secrets are listed in', () => {
    const r = [{ server: 'a.io', username: 'u', passwordSecretRef: 'ra' }, { server: 'b.io', username: 'u', passwordSecretRef: 'rb' }];
    const s = [{ name: 'ra', value: '1' }, { name: 'rb', value: '2' }];
    expect(jobShapeKey(spec({ registries: r, secrets: s }), ENV)).toBe(jobShapeKey(spec({ registries: [...r].reverse(), secrets: [...s].reverse() }), ENV));
  });

  it('names the shared job within ACA\'s 32 characters', () => {
    const name = sharedJobName(jobShapeKey(spec(), ENV));
    expect(name).toMatch(/^sockerless-s-[0-9a-f]{16}$/);
    expect(name.length).toBeLessThanOrEqual(32);
  });
});

describe('which specs cannot share a job', () => {
  it('secret environment variables keep a job of their own; registry passwords do not', () => {
    const withSecretEnv = spec({ env: [{ name: 'API_KEY', secretRef: 'env-api-key' }], secrets: [{ name: 'env-api-key', value: 'x' }] });
    expect(unshareableReason(withSecretEnv, new Set())).toMatch(/secret environment variables/);
    const withRegistry = spec({ registries: [{ server: 'r.io', username: 'u', passwordSecretRef: 'registry-r-io' }], secrets: [{ name: 'registry-r-io', value: 'p' }] });
    expect(unshareableReason(withRegistry, new Set(['registry-r-io']))).toBeUndefined();
  });

  it('volumes keep a job of their own: an execution template has no volume mounts', () => {
    expect(unshareableReason(spec({ sharedDirs: [{ name: 'sockerless-agent', mountPath: '/sockerless' }] }), new Set())).toMatch(/EmptyDir/);
    expect(unshareableReason(spec({ volumes: [{ kind: 'EmptyDir', name: 'v', mountPath: '/data' }] as never }), new Set())).toMatch(/Docker volumes/);
    expect(unshareableReason(spec(), new Set())).toBeUndefined();
  });
});
