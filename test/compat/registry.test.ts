// SOCKERLESS_FETCH_IMAGE_CONFIG=true against a real registry (Debian's docker-registry) that wants basic auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { startRegistry, type TestRegistry } from './registry';
import { missing } from './tools';

const absent = await missing('docker-registry');
if (absent) console.warn(`skipping the registry tests: ${absent}`);

const imageConfig = {
  architecture: 'amd64',
  os: 'linux',
  created: '2026-01-02T03:04:05Z',
  config: {
    User: '1000',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'APP_MODE=registry'],
    Entrypoint: ['/bin/app'],
    Cmd: ['--serve'],
    WorkingDir: '/srv',
    ExposedPorts: { '8080/tcp': {} },
    Labels: { 'org.example.origin': 'pushed-by-test' },
  },
  history: [{ created: '2026-01-02T03:04:05Z', created_by: 'test push' }],
};

let registry: TestRegistry;
let d: TestDaemon;
let pushed: { manifestDigest: string; configDigest: string };

describe.skipIf(absent !== undefined)('pulls that read the image config from a registry with basic auth', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    registry = await startRegistry('tester', 's3cret');
    pushed = await registry.push('team/app', '1.0', imageConfig);
    d = await startTestDaemon({ env: { SOCKERLESS_FETCH_IMAGE_CONFIG: 'true' } });
  });
  afterAll(async () => {
    await d?.close();
    await registry?.close();
  });

  it('without credentials the pull fails with pull access denied', async () => {
    const r = await d.cli(['pull', `${registry.host}/team/app:1.0`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pull access denied');
  });

  it('docker login is verified against the registry: a wrong password is refused, the right one succeeds', async () => {
    const wrong = await d.cli(['login', '-u', 'tester', '--password-stdin', registry.host], { input: 'nope\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401 Unauthorized');
    const right = await d.cli(['login', '-u', 'tester', '--password-stdin', registry.host], { input: 's3cret\n' });
    expect(right.stdout).toContain('Login Succeeded');
    expect(right.code).toBe(0);
  });

  it('the CLI sends X-Registry-Auth after login: the real config (Entrypoint, Cmd, Env, WorkingDir, User, ports, labels) is pulled', async () => {
    const r = await d.cli(['pull', `${registry.host}/team/app:1.0`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Digest: ${pushed.manifestDigest}`);
    const image = JSON.parse((await d.cli(['image', 'inspect', `${registry.host}/team/app:1.0`])).stdout)[0];
    expect(image.Id).toBe(pushed.configDigest);
    expect(image.RepoDigests).toEqual([`${registry.host}/team/app@${pushed.manifestDigest}`]);
    expect(image).toMatchObject({ Architecture: 'amd64', Os: 'linux', Created: '2026-01-02T03:04:05Z' });
    expect(image.Config).toMatchObject({
      User: '1000',
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'APP_MODE=registry'],
      Entrypoint: ['/bin/app'],
      Cmd: ['--serve'],
      WorkingDir: '/srv',
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'org.example.origin': 'pushed-by-test' },
    });
  });

  it('credentials stored by POST /auth serve pulls that bring none (docker-py style); X-Registry-Auth alone works too', async () => {
    const fresh = await startTestDaemon({ env: { SOCKERLESS_FETCH_IMAGE_CONFIG: 'true' } });
    try {
      const pull = (auth?: object) =>
        new Promise<string>((resolve) => {
          fresh.docker.pull(`${registry.host}/team/app:1.0`, auth ? { authconfig: auth } : {}, (err: Error | null, stream?: NodeJS.ReadableStream) => {
            if (err) return resolve(`error: ${err.message}`);
            fresh.docker.modem.followProgress(stream!, (e: Error | null, lines: Array<{ error?: string }>) => {
              const failed = e?.message ?? lines.find((l) => l.error)?.error;
              resolve(failed ? `error: ${failed}` : 'ok');
            });
          });
        });
      expect(await pull()).toContain('pull access denied');
      expect(await pull({ username: 'tester', password: 's3cret', serveraddress: registry.host })).toBe('ok');
      await fresh.docker.getImage(`${registry.host}/team/app:1.0`).remove();
      const login = await fresh.docker.checkAuth({ username: 'tester', password: 's3cret', serveraddress: `http://${registry.host}` });
      expect(login).toMatchObject({ Status: 'Login Succeeded' });
      expect(await pull()).toBe('ok');
      expect((await fresh.docker.getImage(`${registry.host}/team/app:1.0`).inspect()).Config.Entrypoint).toEqual(['/bin/app']);
    } finally {
      await fresh.close();
    }
  });
});
