// Replicas in their images' filesystems, through the real Azure SDK against the simulator: images
// made here (busybox-static, musl, glibc) and pushed to a loopback docker-registry with basic auth.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Job } from '@azure/arm-appcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../src/aca/cloud';
import { jobResource } from '../../src/aca/job-resource';
import type { AcaConfig } from '../../src/config';
import { buildImage, packEntries, pushImage } from '../../src/oci';
import { startRegistry, type TestRegistry } from '../compat/registry';
import { makeRootfs, missingForKind, pushRootfs } from '../helpers/images';
import { jobName, runJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';
import { IS_ROOT, finishRun } from './isolation-support';
import { rawRequest } from './helpers';
import type { ScriptRun } from './isolation-support';

/** The execution as ARM serves it, with the reason and message the SDK model leaves out. */
async function executionResource(h: SimHarness, run: ScriptRun): Promise<{ properties: { reason?: string; message?: string } }> {
  const token = await h.credential.getToken('https://management.azure.com/.default');
  const path = `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs/${run.job}/executions/${run.execution}?api-version=2026-07-01`;
  const res = await rawRequest(h.sim, 'GET', path, { Authorization: `Bearer ${token!.token}` });
  return JSON.parse(res.body) as { properties: { reason?: string; message?: string } };
}

const USER = 'puller';
const PASSWORD = 'pull-secret-1';
const missing = IS_ROOT ? (missingForKind('musl') ?? missingForKind('glibc')) : 'root';

describe.skipIf(missing !== undefined)(`images in the simulator (needs root, busybox-static, musl-tools, docker-registry${missing ? `; skipped: ${missing}` : ''})`, () => {
  let h: SimHarness;
  let registry: TestRegistry;
  const roots: string[] = [];
  const image: Record<string, string> = {};
  const warnings: string[] = [];
  const auth = { username: USER, password: PASSWORD };
  let dataDir: string;

  beforeAll(async () => {
    registry = await startRegistry(USER, PASSWORD);
    const rootfs = (kind: 'busybox' | 'musl' | 'glibc') => {
      const dir = makeRootfs(kind);
      roots.push(dir);
      return dir;
    };
    const busybox = rootfs('busybox');
    image.busybox = (await pushRootfs(registry.host, 'tests/busybox', 'v1', busybox, {}, auth)).reference;
    image.musl = (await pushRootfs(registry.host, 'tests/musl', 'v1', rootfs('musl'), {}, auth, 'docker')).reference;
    image.glibc = (await pushRootfs(registry.host, 'tests/glibc', 'v1', rootfs('glibc'), {}, auth)).reference;
    image.entry = (
      await pushRootfs(registry.host, 'tests/entry', 'v1', busybox, {
        entrypoint: ['/bin/sh', '-c', 'echo "$GREETING $(pwd) $*"', 'entry'],
        cmd: ['from-cmd'],
        env: ['PATH=/bin', 'GREETING=image-env'],
        workingDir: '/home/app',
      }, auth)
    ).reference;
    image.user = (await pushRootfs(registry.host, 'tests/user', 'v1', busybox, { user: 'app' }, auth)).reference;
    const escaping = async (repository: string, entry: Parameters<typeof packEntries>[0][number]) => {
      const layer = await packEntries([{ name: 'etc', type: 'directory' }, { name: 'etc/passwd', content: 'x' }, entry]);
      await pushImage({ registry: registry.host, repository, tag: 'v1' }, buildImage([layer]), auth);
      return `${registry.host}/${repository}:v1`;
    };
    image.symlinkOut = await escaping('tests/symlink-out', { name: 'etc/evil', type: 'symlink', linkname: '../../../../../etc/shadow' });
    image.linkOut = await escaping('tests/link-out', { name: 'evil', type: 'link', linkname: '../../../etc/shadow' });
    dataDir = mkdtempSync(join(tmpdir(), 'sockerless-images-'));
    h = await startHarness({ dataDir, stopGraceMs: 500, logger: { info() {}, warn: (_o, msg) => warnings.push(msg ?? '') } });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await registry?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    for (const dir of roots) rmSync(dir, { recursive: true, force: true });
  });

  function job(containers: Job['template'] extends infer T ? (T extends { containers?: infer C } ? C : never) : never, extra: Partial<NonNullable<Job['template']>> = {}, credentials = true): Job {
    return {
      location: h.sim.location,
      environmentId: h.environmentId,
      configuration: {
        triggerType: 'Manual',
        replicaTimeout: 60,
        ...(credentials && {
          secrets: [{ name: 'registry-password', value: PASSWORD }],
          registries: [{ server: registry.host, username: USER, passwordSecretRef: 'registry-password' }],
        }),
      },
      template: { containers, ...extra },
    };
  }

  async function run(spec: Job): Promise<ScriptRun> {
    const name = jobName('img');
    return finishRun(h, name, await runJob(h, name, spec));
  }

  const sh = (img: string, script: string) => [{ name: 'main', image: img, command: ['sh', '-c', script] }];

  it.each(['busybox', 'musl', 'glibc'])('a %s image runs in its own filesystem: its os-release, not the host', async (kind) => {
    const result = await run(job(sh(image[kind]!, 'cat /etc/os-release; ls /bin/busybox >/dev/null 2>&1 && echo has-busybox || echo no-busybox')));
    expect(result.status).toBe('Succeeded');
    expect(result.stdout).toEqual([`NAME="Sockerless ${kind} test image"`, `ID=sockerless-${kind}`, kind === 'glibc' ? 'no-busybox' : 'has-busybox']);
  });

  it("the runtime's /etc files: the host's resolvers, hosts and hostname for the replica; the rest is the image's", async () => {
    const result = await run(job(sh(image.busybox!, 'cat /etc/hostname; grep -c "$(cat /etc/hostname)" /etc/hosts; cat /etc/resolv.conf | grep -c .; head -1 /etc/passwd')));
    expect(result.stdout[0]).toBe(result.replica);
    expect(result.stdout[1]).toBe('1');
    expect(Number(result.stdout[2])).toBe(readFileSync('/etc/resolv.conf', 'utf8').split('\n').filter(Boolean).length);
    expect(result.stdout[3]).toBe('root:x:0:0:root:/root:/bin/sh');
  });

  it('the musl image runs a program linked against musl; the busybox one has no libc at all', async () => {
    const musl = await run(job([{ name: 'main', image: image.musl!, command: ['/usr/bin/musl-hello'] }]));
    expect(musl.stdout).toEqual(['hello from musl']);
    const bare = await run(job(sh(image.busybox!, 'ls /lib /lib64 /usr/lib 2>/dev/null | wc -l')));
    expect(bare.stdout).toEqual(['0']);
  });

  it("no command: the image's ENTRYPOINT + CMD run, in its WORKDIR with its env; args replace CMD; command replaces both", async () => {
    const plain = await run(job([{ name: 'main', image: image.entry! }]));
    expect(plain.stdout).toEqual(['image-env /home/app from-cmd']);
    const args = await run(job([{ name: 'main', image: image.entry!, args: ['from-args'] }]));
    expect(args.stdout).toEqual(['image-env /home/app from-args']);
    const command = await run(job([{ name: 'main', image: image.entry!, command: ['echo', 'own'] }]));
    expect(command.stdout).toEqual(['own']);
  });

  it("the image's USER applies, resolved in the image's /etc/passwd", async () => {
    const result = await run(job(sh(image.user!, 'id -u; id -g; echo $HOME')));
    expect(result.stdout).toEqual(['1000', '1000', '/home/app']);
  });

  it('the second run of an image downloads nothing: its layers come from the cache', async () => {
    const before = h.sim.imageStats()!;
    const result = await run(job(sh(image.glibc!, 'echo again')));
    expect(result.stdout).toEqual(['again']);
    const after = h.sim.imageStats()!;
    expect(after.layerDownloads).toBe(before.layerDownloads);
    expect(after.layerCacheHits).toBeGreaterThan(before.layerCacheHits);
    expect(after.cachedBytes).toBeGreaterThan(0);
    const admin = JSON.parse((await rawRequest(h.sim, 'GET', '/_simulator/stats')).body) as { images?: { layerDownloads: number; cachedBytes: number } };
    expect(admin.images).toMatchObject({ layerDownloads: after.layerDownloads, cachedBytes: after.cachedBytes });
  });

  it('without credentials the pull is refused: the execution fails with ImagePullFailure', async () => {
    const result = await run(job(sh(image.busybox!, 'echo never'), {}, false));
    expect(result.status).toBe('Failed');
    expect(result.stdout).toEqual([]);
    const execution = await executionResource(h, result);
    expect(execution.properties.reason).toBe('ImagePullFailure');
    expect(execution.properties.message).toMatch(/ImagePullFailure.*pull access denied/);
  });

  it('a missing tag fails with ImagePullFailure and says the manifest is unknown', async () => {
    const result = await run(job(sh(`${registry.host}/tests/busybox:no-such-tag`, 'echo never')));
    expect(result.status).toBe('Failed');
    const execution = await executionResource(h, result);
    expect(execution.properties.reason).toBe('ImagePullFailure');
    expect(execution.properties.message).toMatch(/no-such-tag not found: manifest unknown/);
  });

  it.each(['symlinkOut', 'linkOut'])('a layer with a %s escaping the root is refused', async (which) => {
    const result = await run(job(sh(image[which]!, 'echo never')));
    expect(result.status).toBe('Failed');
    const execution = await executionResource(h, result);
    expect(execution.properties.message).toMatch(/points outside the root|lies outside the root/);
  });

  it('an init container writes into an EmptyDir volume that the main container then reads; the volume goes with the replica', async () => {
    const mounts = [{ volumeName: 'shared', mountPath: '/shared' }];
    const result = await run(
      job([{ name: 'main', image: image.glibc!, command: ['cat', '/shared/msg', '/shared/second'], volumeMounts: mounts }], {
        initContainers: [
          { name: 'first', image: image.busybox!, command: ['sh', '-c', 'echo from-init > /shared/msg'], volumeMounts: mounts },
          { name: 'second', image: image.musl!, command: ['sh', '-c', 'cat /shared/msg >/dev/null && echo after-first > /shared/second'], volumeMounts: mounts },
        ],
        volumes: [{ name: 'shared', storageType: 'EmptyDir' }],
      }),
    );
    expect(result.status).toBe('Succeeded');
    expect(result.stdout).toEqual(['from-init', 'after-first']);
    const volumes = join(dataDir, 'volumes');
    expect(existsSync(volumes) ? readdirSync(volumes) : []).toEqual([]);
  });

  it("the daemon's job spec (jobResource) with an init container and a shared dir: the main container reads what the init container wrote", async () => {
    const spec: JobSpec = {
      jobName: jobName('spec'),
      containerId: 'c'.repeat(64),
      image: image.glibc!,
      command: ['cat'],
      args: ['/sockerless/installed'],
      env: [],
      secrets: [{ name: 'registry-password', value: PASSWORD }],
      registries: [{ server: registry.host, username: USER, passwordSecretRef: 'registry-password' }],
      initContainers: [{ name: 'installer', image: image.busybox!, command: ['sh', '-c', 'echo installed-by-init > /sockerless/installed'] }],
      sharedDirs: [{ name: 'sockerless-agent', mountPath: '/sockerless' }],
      cpu: 1,
      memory: '2Gi',
      replicaTimeout: 60,
    };
    const resource = jobResource({ subscriptionId: h.sim.subscriptionId, resourceGroup: h.rg, environment: h.sim.environment, location: h.sim.location } as AcaConfig, spec);
    const result = await finishRun(h, spec.jobName, await runJob(h, spec.jobName, resource));
    expect(result.status).toBe('Succeeded');
    expect(result.stdout).toEqual(['installed-by-init']);
  });

  it('a Secret volume holds the chosen secrets as read-only files', async () => {
    const result = await run(
      job([{ name: 'main', image: image.busybox!, command: ['sh', '-c', 'cat /run/creds/pw; echo; ls /run/creds; touch /run/creds/x 2>/dev/null || echo read-only'], volumeMounts: [{ volumeName: 'creds', mountPath: '/run/creds' }] }], {
        volumes: [{ name: 'creds', storageType: 'Secret', secrets: [{ secretRef: 'registry-password', path: 'pw' }] }],
      }),
    );
    expect(result.stdout).toEqual([PASSWORD, 'pw', 'read-only']);
  });

  it('a failing init container fails the execution and the main container never runs', async () => {
    const result = await run(
      job(sh(image.busybox!, 'echo main-ran'), { initContainers: [{ name: 'broken', image: image.busybox!, command: ['sh', '-c', 'exit 3'] }] }),
    );
    expect(result.status).toBe('Failed');
    expect(result.stdout).toEqual([]);
    const execution = await executionResource(h, result);
    expect(execution.properties.message).toMatch(/Init container 'broken' failed \(exit code 3\)/);
  });

  it('an unreachable registry with the image not cached: the fallback root, said once per image', async () => {
    const offline = '127.0.0.1:1/tests/offline:v1';
    const first = await run(job(sh(offline, 'cat /etc/os-release | grep -c . ; test -e /bin/sh && echo host-sh')));
    const second = await run(job(sh(offline, 'echo second')));
    expect(first.status).toBe('Succeeded');
    expect(first.stdout[1]).toBe('host-sh');
    expect(second.stdout).toEqual(['second']);
    expect(warnings.filter((w) => w.includes(offline))).toHaveLength(1);
    expect(h.sim.imageStats()!.fallbacks).toBeGreaterThanOrEqual(2);
  });
});

describe.skipIf(!IS_ROOT)('imageFallback: error', () => {
  it('an unreachable registry fails the execution with ImagePullFailure instead of falling back', async () => {
    const h = await startHarness({ imageFallback: 'error' });
    try {
      const name = jobName('img');
      const spec: Job = {
        location: h.sim.location,
        environmentId: h.environmentId,
        configuration: { triggerType: 'Manual', replicaTimeout: 60 },
        template: { containers: [{ name: 'main', image: '127.0.0.1:1/tests/offline:v1', command: ['echo', 'never'] }] },
      };
      const result = await finishRun(h, name, await runJob(h, name, spec));
      expect(result.status).toBe('Failed');
      const execution = await executionResource(h, result);
      expect(execution.properties.reason).toBe('ImagePullFailure');
      expect(execution.properties.message).toMatch(/Failed to pull image "127\.0\.0\.1:1\/tests\/offline:v1"/);
    } finally {
      await h.close();
    }
  });
});
