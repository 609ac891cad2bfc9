// The pure parts of issue 9: ACA pairs for Docker's limits, secret env, registry credentials,
// and the job resource they make.
import { describe, expect, it } from 'vitest';
import type { AcaConfig } from '../../src/config';
import type { JobSpec } from '../../src/aca/cloud';
import { jobResource } from '../../src/aca/job-resource';
import { checkRestartPolicy } from '../../src/api/routers/containers/host-config';
import { jobSettingsFrom } from '../../src/daemon/job-settings';
import { parseSettings, type Environment } from '../../src/settings';
import { RegistryCredentials } from '../../src/daemon/registry-auth';
import { acaResources, defaultPair, isAllowedPair, ResourceRangeError } from '../../src/daemon/cpu-memory-pairs';
import { SecretEnv } from '../../src/daemon/secrets';
import { CredentialStore } from '../../src/images/credentials';

// The settings schema parses the variables, as at the daemon's start.
const jobSettingsFromEnv = (env: Environment) => jobSettingsFrom(parseSettings(env));
const secretEnvFromEnv = (env: Environment) => jobSettingsFromEnv(env).secretEnv;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const defaults = { cpu: 1, memory: '2Gi' };

describe('acaResources: the smallest allowed pair that covers the limits', () => {
  it.each([
    [{ NanoCpus: 0.3e9, Memory: 700 * MiB }, { cpu: 0.5, memory: '1Gi' }],
    [{ NanoCpus: 0.25e9 }, { cpu: 0.25, memory: '0.5Gi' }],
    [{ NanoCpus: 2e9 }, { cpu: 2, memory: '4Gi' }],
    [{ NanoCpus: 0.01e9 }, { cpu: 0.25, memory: '0.5Gi' }],
    [{ Memory: 3 * GiB }, { cpu: 1.5, memory: '3Gi' }],
    [{ Memory: 512 * MiB }, { cpu: 0.25, memory: '0.5Gi' }],
    [{ Memory: 4 * MiB }, { cpu: 0.25, memory: '0.5Gi' }],
    [{ NanoCpus: 0.5e9, Memory: 4 * GiB }, { cpu: 2, memory: '4Gi' }],
    [{ NanoCpus: 4e9, Memory: 8 * GiB }, { cpu: 4, memory: '8Gi' }],
    [{ CpuQuota: 150_000, CpuPeriod: 100_000 }, { cpu: 1.5, memory: '3Gi' }],
    [{ CpuQuota: 30_000 }, { cpu: 0.5, memory: '1Gi' }],
    [{ CpuQuota: -1 }, defaults],
    [{}, defaults],
    [{ NanoCpus: 0, Memory: 0, CpuShares: 0 }, defaults],
  ])('%j → %j', (ask, pair) => {
    expect(acaResources(ask, defaults).pair).toEqual(pair);
  });

  it('warns only when it rounded, naming what was asked and what runs', () => {
    expect(acaResources({ NanoCpus: 0.5e9, Memory: GiB }, defaults).warning).toBeUndefined();
    expect(acaResources({ NanoCpus: 2e9 }, defaults).warning).toBeUndefined();
    expect(acaResources({ NanoCpus: 0.3e9, Memory: 700 * MiB }, defaults).warning).toBe(
      'Azure Container Apps runs this container with 0.5 CPU and 1Gi memory, the smallest allowed pair that covers what was asked (0.3 CPU, 700MiB memory)',
    );
  });

  it('CPU shares scale the default CPU, clamped into the range, with a warning', () => {
    expect(acaResources({ CpuShares: 1024 }, defaults)).toEqual({ pair: defaults });
    expect(acaResources({ CpuShares: 512 }, defaults).pair).toEqual({ cpu: 0.5, memory: '1Gi' });
    expect(acaResources({ CpuShares: 2 }, defaults).pair).toEqual({ cpu: 0.25, memory: '0.5Gi' });
    expect(acaResources({ CpuShares: 262_144 }, defaults).pair).toEqual({ cpu: 4, memory: '8Gi' });
    expect(acaResources({ CpuShares: 512 }, defaults).warning).toContain('relative weight');
    // --cpus wins over shares.
    expect(acaResources({ CpuShares: 512, NanoCpus: 2e9 }, defaults).pair.cpu).toBe(2);
  });

  it('more than the largest pair, or a negative limit, is refused naming the range', () => {
    for (const ask of [{ NanoCpus: 9e9 }, { NanoCpus: 4.01e9 }, { Memory: 8 * GiB + 1 }, { CpuQuota: 500_000 }, { Memory: -5 }]) {
      expect(() => acaResources(ask, defaults), JSON.stringify(ask)).toThrow(ResourceRangeError);
      expect(() => acaResources(ask, defaults)).toThrow(/0\.25 to 4 CPUs in steps of 0\.25/);
    }
  });

  it('the default pair must be an allowed one', () => {
    expect(defaultPair(1)).toEqual({ cpu: 1, memory: '2Gi' });
    expect(defaultPair(0.75, '1.5Gi')).toEqual({ cpu: 0.75, memory: '1.5Gi' });
    expect(() => defaultPair(0.3)).toThrow(ResourceRangeError);
    expect(() => defaultPair(1, '4Gi')).toThrow(ResourceRangeError);
    expect(isAllowedPair(4, '8Gi')).toBe(true);
    expect(isAllowedPair(4.25, '8.5Gi')).toBe(false);
    expect(jobSettingsFromEnv({ SOCKERLESS_ACA_DEFAULT_CPU: '2' }).defaults).toEqual({ cpu: 2, memory: '4Gi' });
    expect(() => jobSettingsFromEnv({ SOCKERLESS_ACA_DEFAULT_CPU: 'lots' })).toThrow(/must be a number/);
  });
});

describe('secret env', () => {
  it('the default patterns, and names listed in the setting', () => {
    const s = secretEnvFromEnv({ SOCKERLESS_SECRET_ENV: 'DATABASE_URL, OTHER' });
    for (const name of ['DB_PASSWORD', 'GITHUB_TOKEN', 'AWS_SECRET', 'API_KEY', 'DATABASE_URL', 'OTHER']) expect(s.isSecret(name), name).toBe(true);
    for (const name of ['PATH', 'PASSWORD_HINT', 'db_password', 'KEYBOARD', 'TOKEN']) expect(s.isSecret(name), name).toBe(false);
    const only = secretEnvFromEnv({ SOCKERLESS_SECRET_ENV_PATTERNS: 'MY_*' });
    expect([only.isSecret('MY_THING'), only.isSecret('DB_PASSWORD')]).toEqual([true, false]);
  });

  it('masks values for inspect and splits them into ACA secrets with valid, distinct names', () => {
    const s = new SecretEnv();
    expect(s.mask(['DB_PASSWORD=x', 'A=1', 'NO_VALUE', 'X_KEY='])).toEqual(['DB_PASSWORD=******', 'A=1', 'NO_VALUE', 'X_KEY=******']);
    const { env, secrets } = s.split([
      { name: 'DB_PASSWORD', value: 'p1' },
      { name: 'A', value: '1' },
      { name: 'DB__PASSWORD', value: 'p2' },
    ]);
    expect(env).toEqual([
      { name: 'DB_PASSWORD', secretRef: 'env-db-password' },
      { name: 'A', value: '1' },
      { name: 'DB__PASSWORD', secretRef: 'env-db-password-2' },
    ]);
    expect(secrets).toEqual([{ name: 'env-db-password', value: 'p1' }, { name: 'env-db-password-2', value: 'p2' }]);
    for (const { name } of secrets) expect(name).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
  });
});

describe('registry credentials for a job', () => {
  const alice = { username: 'alice', password: 'pw' };

  it('create credentials, then a pull\'s, then docker login; none for a registry without', () => {
    const logins = new CredentialStore();
    const r = new RegistryCredentials({ logins });
    expect(r.access('c1', 'ghcr.io/org/app:1')).toEqual({ registries: [], secrets: [] });
    logins.set('ghcr.io', { username: 'login', password: 'l' });
    expect(r.access('c1', 'ghcr.io/org/app:1').registries[0]).toMatchObject({ server: 'ghcr.io', username: 'login' });
    r.rememberPull('ghcr.io/org/other:2', { username: 'puller', password: 'p' });
    expect(r.access('c1', 'ghcr.io/org/app:1').registries[0]).toMatchObject({ username: 'puller' });
    r.rememberForContainer('c1', alice);
    expect(r.access('c1', 'ghcr.io/org/app:1')).toEqual({
      registries: [{ server: 'ghcr.io', username: 'alice', passwordSecretRef: 'registry-ghcr-io' }],
      secrets: [{ name: 'registry-ghcr-io', value: 'pw' }],
    });
    r.forget('c1');
    expect(r.access('c1', 'ghcr.io/org/app:1').registries[0]).toMatchObject({ username: 'puller' });
    expect(r.access('c2', 'alpine').registries).toEqual([]);
  });

  it('Docker Hub credentials apply to docker.io images; a token without a password makes no entry', () => {
    const logins = new CredentialStore();
    logins.set('docker.io', alice);
    const r = new RegistryCredentials({ logins });
    expect(r.access('c', 'someone/private:1').registries).toEqual([{ server: 'docker.io', username: 'alice', passwordSecretRef: 'registry-docker-io' }]);
    r.rememberForContainer('t', { registryToken: 'tok' });
    expect(r.access('t', 'ghcr.io/x/y').registries).toEqual([]);
  });

  it('with a managed identity, ACR images are pulled with it and no password', () => {
    const logins = new CredentialStore();
    logins.set('myacr.azurecr.io', alice);
    const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull';
    const r = new RegistryCredentials({ logins, identity: id });
    expect(r.access('c', 'myacr.azurecr.io/app:1')).toEqual({ registries: [{ server: 'myacr.azurecr.io', identity: id }], secrets: [], identity: id });
    // Other registries still use their credentials.
    expect(r.access('c', 'ghcr.io/app:1').registries).toEqual([]);
  });
});

describe('restart policy checks at create', () => {
  it('refuses what dockerd refuses', () => {
    expect(() => checkRestartPolicy({ Name: 'sometimes', MaximumRetryCount: 0 }, false)).toThrow(/unknown policy 'sometimes'/);
    expect(() => checkRestartPolicy({ Name: 'always', MaximumRetryCount: 3 }, false)).toThrow(/only be used with 'on-failure'/);
    expect(() => checkRestartPolicy({ Name: 'on-failure', MaximumRetryCount: -1 }, false)).toThrow(/cannot be negative/);
    expect(() => checkRestartPolicy({ Name: 'unless-stopped', MaximumRetryCount: 0 }, true)).toThrow(/AutoRemove/);
    for (const Name of ['', 'no', 'always', 'unless-stopped']) expect(() => checkRestartPolicy({ Name, MaximumRetryCount: 0 }, false)).not.toThrow();
    expect(() => checkRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 5 }, false)).not.toThrow();
    expect(() => checkRestartPolicy({ Name: 'no', MaximumRetryCount: 0 }, true)).not.toThrow();
  });
});

describe('jobResource with secrets, registries and an identity', () => {
  const config = { subscriptionId: 's', resourceGroup: 'rg', environment: 'env', location: 'eastus' } as AcaConfig;
  const spec: JobSpec = {
    jobName: 'sockerless-0123456789ab', containerId: '0123456789ab', image: 'myacr.azurecr.io/app:1', env: [{ name: 'P', secretRef: 'env-p' }],
    secrets: [{ name: 'env-p', value: 'v' }], registries: [{ server: 'myacr.azurecr.io', identity: 'system' }], identity: 'system',
    cpu: 0.5, memory: '1Gi', replicaTimeout: 60,
  };

  it('puts registries under configuration and the identity on the job', () => {
    const job = jobResource(config, spec);
    expect(job.configuration?.registries).toEqual([{ server: 'myacr.azurecr.io', identity: 'system' }]);
    expect(job.configuration?.secrets).toEqual([{ name: 'env-p', value: 'v' }]);
    expect(job.identity).toEqual({ type: 'SystemAssigned' });
    expect(job.template?.containers?.[0]?.resources).toEqual({ cpu: 0.5, memory: '1Gi' });
    expect(jobResource(config, { ...spec, identity: '/x/userAssignedIdentities/u' }).identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { '/x/userAssignedIdentities/u': {} } });
    expect(jobResource(config, { ...spec, identity: undefined, registries: undefined })).not.toHaveProperty('identity');
  });
});
