// Volumes through the installed docker CLI, against a daemon on the embedded simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.close();
});

const volumes = async (...args: string[]) => (await d.cli(['volume', 'ls', '-q', ...args])).stdout.split('\n').filter(Boolean).sort();
const anonymous = (names: string[]) => names.filter((n) => /^[0-9a-f]{64}$/.test(n));

describe('docker volume', { timeout: 120_000 }, () => {
  it('create, inspect shows the Azure Files share behind it, and docker info says how volumes are backed', async () => {
    const created = await d.cli(['volume', 'create', '--label', 'a=b', 'v1']);
    expect(created).toMatchObject({ code: 0, stdout: 'v1\n' });
    const v = JSON.parse((await d.cli(['volume', 'inspect', 'v1'])).stdout)[0];
    expect(v).toMatchObject({ Name: 'v1', Driver: 'local', Scope: 'local', Labels: { a: 'b' } });
    expect(v.Status).toMatchObject({ Backing: 'Azure Files', StorageAccount: 'sockerlesssim' });
    expect(v.Status.Share).toMatch(/^sockerless-[0-9a-f]{12}-v1$/);
    expect(v.Mountpoint).toBe(`//sockerlesssim.file.core.windows.net/${v.Status.Share}`);
    expect((await d.cli(['volume', 'create', 'v1'])).code).toBe(0); // an existing name is returned as is
    const info = await d.cli(['info']);
    expect(info.stdout).toContain('named volumes are Azure Files shares in storage account sockerlesssim');
    expect(info.stderr).not.toContain('volume');
    const missing = await d.cli(['volume', 'inspect', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such volume');
  });

  it('a bind mount of a host path is refused with the reason, and no container is left', async () => {
    const bind = await d.cli(['run', '--name', 'bound', '-v', '/tmp/host:/host:ro', 'alpine', 'true']);
    expect(bind.code).not.toBe(0);
    expect(bind.stderr).toContain("bind mount /tmp/host:/host is not supported: the container runs as an Azure Container Apps job, which cannot see this daemon's disk");
    expect((await d.cli(['ps', '-a', '-q', '--filter', 'name=bound'])).stdout).toBe('');
  });

  it('named and anonymous volumes of a container: no warnings, Mounts, 409 while in use, rm -v takes the anonymous one only', async () => {
    const run = await d.cli(['run', '-d', '--name', 'c1', '-v', 'v1:/data', '-v', '/scratch', 'alpine', 'sleep', '30']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('WARNING');
    const mounts = JSON.parse((await d.cli(['inspect', 'c1'])).stdout)[0].Mounts;
    const anon = mounts.find((m: { Destination: string }) => m.Destination === '/scratch').Name;
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect(mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'volume', Name: 'v1', Destination: '/data', Driver: 'local', RW: true }),
      ]),
    );
    expect((await d.cli(['volume', 'inspect', anon])).stdout).toContain('"com.docker.volume.anonymous": ""');
    expect(await volumes('--filter', 'dangling=false')).toEqual([anon, 'v1'].sort());

    const busy = await d.cli(['volume', 'rm', 'v1']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('volume is in use');
    expect((await d.cli(['volume', 'rm', '-f', 'v1'])).code).toBe(1);

    expect((await d.cli(['rm', '-fv', 'c1'])).code).toBe(0);
    expect(await volumes()).toEqual(['v1']);
  });

  it('--rm takes its anonymous volumes along; plain rm leaves them dangling for prune', async () => {
    expect((await d.cli(['run', '--rm', '-v', '/gone', 'alpine', 'true'])).code).toBe(0);
    expect(anonymous(await volumes())).toEqual([]);
    expect((await d.cli(['run', '--name', 'c2', '-v', '/kept', 'alpine', 'true'])).code).toBe(0);
    expect((await d.cli(['rm', 'c2'])).code).toBe(0);
    const left = anonymous(await volumes('--filter', 'dangling=true'));
    expect(left).toHaveLength(1);
    // API ≥ 1.42: prune takes anonymous volumes only, unless --all.
    const pruned = await d.cli(['volume', 'prune', '-f']);
    expect(pruned.stdout).toContain(left[0]);
    expect(await volumes()).toEqual(['v1']);
    expect((await d.cli(['volume', 'prune', '-af', '--filter', 'label=a=c'])).stdout).not.toContain('v1');
    expect((await d.cli(['volume', 'prune', '-af', '--filter', 'label=a=b'])).stdout).toContain('v1');
    expect(await volumes()).toEqual([]);
  });

  it('a bad volume name or a taken address refuses the create, and no container is left behind', async () => {
    const bad = await d.cli(['create', '--name', 'badvol', '-v', 'no@good:/x', 'alpine', 'true']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('includes invalid characters for a local volume name');
    await d.cli(['network', 'create', '--subnet', '10.9.0.0/24', 'fixed']);
    expect((await d.cli(['create', '--name', 'first', '--network', 'fixed', '--ip', '10.9.0.7', 'alpine', 'true'])).code).toBe(0);
    const taken = await d.cli(['create', '--name', 'second', '--network', 'fixed', '--ip', '10.9.0.7', 'alpine', 'true']);
    expect(taken.stderr).toContain('Address already in use');
    expect((await d.cli(['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('first\n');
    await d.cli(['rm', 'first']);
    await d.cli(['network', 'rm', 'fixed']);
  });

  it('ls filters: name, label, driver, dangling; rm -f of a missing volume succeeds', async () => {
    await d.cli(['volume', 'create', '--label', 'env=prod', 'alpha']);
    await d.cli(['volume', 'create', '--label', 'env=dev', '--label', 'solo', 'beta']);
    await d.cli(['create', '--name', 'user', '-v', 'alpha:/a', 'alpine', 'true']);
    expect(await volumes('--filter', 'name=alp')).toEqual(['alpha']);
    expect(await volumes('--filter', 'label=env')).toEqual(['alpha', 'beta']);
    expect(await volumes('--filter', 'label=env=dev')).toEqual(['beta']);
    expect(await volumes('--filter', 'label=solo')).toEqual(['beta']);
    expect(await volumes('--filter', 'driver=local')).toEqual(['alpha', 'beta']);
    expect(await volumes('--filter', 'dangling=true')).toEqual(['beta']);
    expect((await d.cli(['volume', 'rm', '-f', 'never-was'])).code).toBe(0);
    expect((await d.cli(['rm', 'user'])).code).toBe(0);
    expect((await d.cli(['volume', 'rm', 'alpha', 'beta'])).code).toBe(0);
  });
});
