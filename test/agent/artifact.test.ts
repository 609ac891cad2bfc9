// The portable agent (issue 18): the artifact runs in root filesystems with no libc, musl or
// glibc, as root or not, through its own loader; its init reaps orphans; `agent install` copies
// it for a non-root USER; its image is pushed to a real registry on loopback and read back.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentArtifact, type ArtifactReport } from '../../scripts/agent/artifact';
import { buildAgentImage, readLayout, writeLayout } from '../../scripts/agent/image';
import { pushAgentImage, pushCredentials } from '../../scripts/agent/push';
import { createRegistryFetch } from '../../src/images/registry';
import { parseReference } from '../../src/images/reference';
import { startRegistry, type TestRegistry } from '../compat/registry';
import { makeRootfs, missingForKind, type RootfsKind } from '../helpers/images';

const root = process.getuid?.() === 0;
const KINDS: RootfsKind[] = ['busybox', 'musl', 'glibc'];
let artifact: ArtifactReport;
const roots = new Map<RootfsKind, string>();
let work: string;

/** A root filesystem with the artifact at /sockerless and the /dev/null a runtime always gives. */
function withArtifact(kind: RootfsKind): string {
  const dir = makeRootfs(kind);
  chmodSync(dir, 0o755); // an image's / as a non-root user sees it (mkdtemp made it 0700)
  cpSync(artifact.dir, join(dir, 'sockerless'), { recursive: true });
  mkdirSync(join(dir, 'dev'), { recursive: true });
  execFileSync('mknod', ['-m', '666', join(dir, 'dev/null'), 'c', '1', '3']);
  mkdirSync(join(dir, 'proc'), { recursive: true });
  return dir;
}

/** Runs argv chrooted into `dir` with a bare environment, optionally as a user and as PID 1 of a new PID namespace. */
function inRoot(dir: string, argv: string[], opts: { user?: string; pidNamespace?: boolean; env?: Record<string, string> } = {}) {
  const chroot = ['chroot', ...(opts.user ? [`--userspec=${opts.user}`] : []), dir, ...argv];
  const command = opts.pidNamespace ? ['unshare', '--pid', '--fork', '--mount', `--mount-proc=${join(dir, 'proc')}`, ...chroot] : chroot;
  const r = spawnSync(command[0]!, command.slice(1), { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...opts.env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!root) return;
  work = mkdtempSync(join(tmpdir(), 'sockerless-artifact-'));
  artifact = await buildAgentArtifact(join(work, 'agent'));
  for (const kind of KINDS) if (!missingForKind(kind)) roots.set(kind, withArtifact(kind));
}, 120_000);

afterAll(() => {
  for (const dir of roots.values()) rmSync(dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!root)('the agent artifact', () => {
  it('holds Node, the bundle, the PTY binary, the libraries and their loader, stripped', () => {
    expect(artifact.files).toEqual(expect.arrayContaining([
      'agent', 'agent.mjs', 'lib/node', 'lib/ld-linux-x86-64.so.2', 'lib/libc.so.6', 'lib/libstdc++.so.6', 'lib/libutil.so.1',
      'node_modules/@lydell/node-pty-linux-x64/pty.node',
    ]));
    expect(execFileSync('file', [join(artifact.dir, 'lib/node')], { encoding: 'utf8' })).toMatch(/stripped/);
    expect(execFileSync('file', [join(artifact.dir, 'lib/node')], { encoding: 'utf8' })).not.toMatch(/not stripped/);
    expect(execFileSync('file', [join(artifact.dir, 'agent')], { encoding: 'utf8' })).toMatch(/statically linked/);
  });

  for (const kind of KINDS) {
    it(`runs in a ${kind} root: exit code, output, and no library path or agent setting in the user's environment`, () => {
      const dir = roots.get(kind);
      if (!dir) return expect(missingForKind(kind)).toBeDefined();
      const r = inRoot(dir, ['/sockerless/agent', '--', 'sh', '-c', 'echo "ld=${LD_LIBRARY_PATH-unset} preload=${LD_PRELOAD-unset}"; echo "workdir=$(pwd)"; export -p; exit 3'], {
        env: { SOCKERLESS_WORKDIR: '/tmp/work', SOCKERLESS_CONTAINER_ID: 'c1', KEPT: 'yes' },
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^ld=unset preload=unset\nworkdir=\/tmp\/work\n/);
      expect(r.stdout).toMatch(/^export KEPT='?yes'?$/m);
      expect(r.stdout).not.toMatch(/SOCKERLESS|LD_LIBRARY_PATH/);
    });
  }

  it('runs as a non-root user', () => {
    const dir = roots.get('busybox')!;
    const r = inRoot(dir, ['/sockerless/agent', '--', 'sh', '-c', 'id -u; exit 4'], { user: '1000:1000' });
    expect(r).toMatchObject({ code: 4, stdout: '1000\n' });
  });

  const zombies = (out: string) => out.split('\n').filter((l) => /^\d+ \(.*\) Z /.test(l));
  // The orphan's parent shell ends at once; the orphan (sleep 0.2) ends while the main process still runs.
  const orphan = ['sh', '-c', '(sleep 0.2 &); sleep 1.5; cat /proc/[0-9]*/stat'];

  it('as PID 1, its init reaps an orphan that ends while the main process runs', () => {
    const r = inRoot(roots.get('busybox')!, ['/sockerless/agent', '--', ...orphan], { pidNamespace: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 \(agent\) S /m);
    expect(zombies(r.stdout)).toEqual([]);
  });

  it('(control) Node as PID 1 without the init leaves that orphan a zombie', () => {
    const node = ['/sockerless/lib/ld-linux-x86-64.so.2', '--library-path', '/sockerless/lib', '/sockerless/lib/node', '/sockerless/agent.mjs'];
    const r = inRoot(roots.get('busybox')!, [...node, '--', ...orphan], { pidNamespace: true });
    expect(r.code).toBe(0);
    expect(zombies(r.stdout)).toHaveLength(1);
  });

  it('agent install copies the artifact with modes a non-root user can run', () => {
    const dir = roots.get('glibc')!;
    rmSync(join(dir, 'installed'), { recursive: true, force: true });
    const r = inRoot(dir, ['/sockerless/agent', 'install', '/installed']);
    expect(r).toMatchObject({ code: 0 });
    expect(statSync(join(dir, 'installed/agent')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'installed/lib/node')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'installed/agent.mjs')).mode & 0o777).toBe(0o644);
    const run = inRoot(dir, ['/installed/agent', '--', 'sh', '-c', 'id -u; exit 6'], { user: '1000:1000' });
    expect(run).toMatchObject({ code: 6, stdout: '1000\n' });
  });

  it('a command that is not there exits 127 with the runtime\'s message', () => {
    const r = inRoot(roots.get('busybox')!, ['/sockerless/agent', '--', 'no-such-command']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "no-such-command": executable file not found in $PATH');
  });
});

describe.skipIf(!root)('the agent image', () => {
  const auth = { username: 'publisher', password: 'publish-secret' };
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry(auth.username, auth.password);
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
  });

  it('npm run agent:push credentials come from docker login\'s config.json, or from the environment first', () => {
    const dockerConfig = join(work, 'docker-config');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('publisher:publish-secret').toString('base64') } } }));
    expect(pushCredentials(registry.host, { DOCKER_CONFIG: dockerConfig })).toEqual(auth);
    expect(pushCredentials('other.example:5000', { DOCKER_CONFIG: dockerConfig })).toBeUndefined();
    expect(pushCredentials(registry.host, { DOCKER_CONFIG: dockerConfig, SOCKERLESS_REGISTRY_USERNAME: 'u', SOCKERLESS_REGISTRY_PASSWORD: 'p' })).toEqual({ username: 'u', password: 'p' });
  });

  it('is built as an OCI layout, pushed to a registry with credentials, and read back: /agent install /sockerless', async () => {
    const layout = join(work, 'layout');
    writeLayout(await buildAgentImage(artifact.dir), layout);
    const image = readLayout(layout);
    expect(JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest).toBe(image.manifestDigest);

    await expect(pushAgentImage(`${registry.host}/sockerless/agent:test`, layout, { username: 'publisher', password: 'wrong' })).rejects.toThrow();
    const pushed = await pushAgentImage(`${registry.host}/sockerless/agent:test`, layout, auth);
    expect(pushed.digest).toBe(image.manifestDigest);

    const fetched = await createRegistryFetch()(parseReference(pushed.reference), auth);
    expect(fetched.digest).toBe(image.manifestDigest);
    const config = fetched.config as { config: { Entrypoint: string[]; Cmd: string[] }; rootfs: { diff_ids: string[] } };
    expect(config.config.Entrypoint).toEqual(['/agent']);
    expect(config.config.Cmd).toEqual(['install', '/sockerless']);
    expect(config.rootfs.diff_ids).toEqual(image.layers.map((l) => l.diffId));
  }, 120_000);
});
