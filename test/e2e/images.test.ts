// The image you name is the image that runs: the docker CLI against a daemon on the embedded
// simulator, with images made here and pushed to a loopback docker-registry that wants a login.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../compat/registry';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { makeRootfs, missingForKind, pushRootfs } from '../helpers/images';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const missing = IS_ROOT ? missingForKind('musl') : 'root';
const USER = 'e2e-user';
const PASSWORD = 'e2e-password-7';

describe.skipIf(missing !== undefined)(`docker run of registry images on the simulator${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let d: TestDaemon;
  let registry: TestRegistry;
  const roots: string[] = [];
  let musl: string;
  let entry: string;

  beforeAll(async () => {
    registry = await startRegistry(USER, PASSWORD);
    const auth = { username: USER, password: PASSWORD };
    const muslRoot = makeRootfs('musl');
    roots.push(muslRoot);
    musl = (await pushRootfs(registry.host, 'e2e/musl', 'v1', muslRoot, {}, auth)).reference;
    entry = (
      await pushRootfs(registry.host, 'e2e/entry', 'v1', muslRoot, { entrypoint: ['/bin/sh', '-c', 'echo "entry $(pwd) $*"', 'sh'], cmd: ['from-cmd'], workingDir: '/home/app' }, auth)
    ).reference;
    // The daemon reads image configs from the registry, so ENTRYPOINT and CMD are the image's.
    d = await startTestDaemon({ env: { SOCKERLESS_FETCH_IMAGE_CONFIG: 'true' } });
  }, 120_000);

  afterAll(async () => {
    await d?.close();
    await registry?.close();
    for (const dir of roots) rmSync(dir, { recursive: true, force: true });
  });

  it('without docker login the pull fails clearly', async () => {
    const r = await d.cli(['run', '--rm', musl, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/denied|unauthorized|login/i);
  });

  it("after docker login, cat /etc/os-release prints the image's file, not the host's", async () => {
    const login = await d.cli(['login', '-u', USER, '--password-stdin', registry.host], { input: PASSWORD });
    expect(login.code).toBe(0);
    const r = await d.cli(['run', '--rm', musl, 'cat', '/etc/os-release']);
    expect(r.stderr).toContain('Pulling from e2e/musl');
    expect(r.stdout).toBe('NAME="Sockerless musl test image"\nID=sockerless-musl\n');
    expect(r.code).toBe(0);
  });

  it("the daemon's data root stays out of an image root, though the socket's directory next to it is bound", async () => {
    const dataRoot = join(dirname(d.socket), 'data');
    const r = await d.cli(['run', '--rm', musl, 'sh', '-c', `ls -A ${dataRoot} 2>/dev/null | wc -l; test -S ${d.socket} && echo socket-there`]);
    expect(r.stdout).toBe('0\nsocket-there\n');
  });

  it('docker run <image> with no command runs its ENTRYPOINT + CMD in its WORKDIR; -w changes the directory', async () => {
    const plain = await d.cli(['run', '--rm', entry]);
    expect(plain.stdout).toBe('entry /home/app from-cmd\n');
    const workdir = await d.cli(['run', '--rm', '-w', '/tmp', entry, 'given']);
    expect(workdir.stdout).toBe('entry /tmp given\n');
  });

  it('-u runs the command as that user', async () => {
    const r = await d.cli(['run', '--rm', '-u', '1000:1000', musl, 'id']);
    expect(r.stdout).toMatch(/^uid=1000.*gid=1000/);
  });

  it('a missing tag fails docker run with the registry reason', async () => {
    const r = await d.cli(['run', '--rm', `${registry.host}/e2e/musl:no-such-tag`, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found|manifest unknown/i);
  });

  it('exec and cp reach a container running in its image (the agent runs there)', async () => {
    const run = await d.cli(['run', '-d', '--name', 'in-image', musl, 'sleep', '60']);
    expect(run.code).toBe(0);
    try {
      let exec = { code: 1, stdout: '', stderr: '' };
      for (let i = 0; i < 100 && exec.code !== 0; i++) {
        exec = await d.cli(['exec', 'in-image', 'cat', '/etc/os-release']);
        if (exec.code !== 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(exec.stdout).toContain('ID=sockerless-musl');
      const cp = await d.cli(['cp', 'in-image:/etc/os-release', '-']);
      expect(cp.code).toBe(0);
      expect(cp.stdout).toContain('ID=sockerless-musl');
    } finally {
      await d.cli(['rm', '-f', 'in-image']);
    }
  });

  describe('with the daemon synthesising image configs (its default): the simulator pull decides', () => {
    let plain: TestDaemon;
    beforeAll(async () => {
      plain = await startTestDaemon();
    });
    afterAll(async () => {
      await plain?.close();
    });

    it("a missing tag fails docker run with ACA's ImagePullFailure and the registry's reason", async () => {
      await plain.cli(['login', '-u', USER, '--password-stdin', registry.host], { input: PASSWORD });
      const r = await plain.cli(['run', '--rm', `${registry.host}/e2e/musl:no-such-tag`, 'true']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ImagePullFailure/);
      expect(r.stderr).toMatch(/manifest unknown/);
    });

    it("docker.io out of reach: alpine runs on the fallback root, where the host's shadow, homes and /root are not", async () => {
      const r = await plain.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo hello; cat /etc/shadow 2>/dev/null | wc -l; ls -A /home | wc -l; ls -A /root | wc -l; ls -d /srv /opt /mnt /media 2>/dev/null | wc -l; grep -c . /etc/passwd']);
      expect(r.stdout).toBe('hello\n0\n0\n0\n0\n2\n');
      expect(r.code).toBe(0);
    });

    it('the image after login runs in its own filesystem', async () => {
      const r = await plain.cli(['run', '--rm', musl, 'cat', '/etc/os-release']);
      expect(r.stdout).toBe('NAME="Sockerless musl test image"\nID=sockerless-musl\n');
    });
  });
});
