// The parts of replica isolation that need no root: which paths get mounts, the fstab, reading
// signal dispositions, a launcher that cannot start, and the loud fallback to unisolated executions.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { startSimulator } from '../../src/simulator';
import { replicaFstab } from '../../src/simulator/isolation/fstab';
import { LAUNCHER_NAME, isLauncherArgv, launcherArgv } from '../../src/simulator/isolation/launcher-script';
import { escapeOctal, mountPoints, mountPointOf, unescapeOctal } from '../../src/simulator/isolation/mountinfo';
import { fallbackSetup, visibleMounts } from '../../src/simulator/images/fallback-root';
import { NamespaceLauncher } from '../../src/simulator/isolation/namespace-launcher';
import { signalDisposition } from '../../src/simulator/isolation/proc';
import { ReplicaDirs } from '../../src/simulator/replica-dirs';
import { jobName, runJob, shellJob, startHarness } from './helpers';
import { replicaDirs } from './isolation-support';

const scratch = mkdtempSync(join(tmpdir(), 'sockerless-parts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('mountinfo', () => {
  it('reads mount points, octal escapes included, and finds the mount holding a path', () => {
    const info = [
      '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '40 26 0:37 / /mnt/with\\040space rw - tmpfs tmpfs rw',
      '41 26 0:38 / /mnt rw - tmpfs tmpfs rw',
    ].join('\n');
    const points = mountPoints(info);
    expect(points).toEqual(['/', '/mnt/with space', '/mnt']);
    expect(mountPointOf('/mnt/with space/x', points)).toBe('/mnt/with space');
    expect(mountPointOf('/mnt/other', points)).toBe('/mnt');
    expect(mountPointOf('/mntx', points)).toBe('/');
    expect(unescapeOctal(escapeOctal('a b\\c#d'))).toBe('a b\\c#d');
  });
});

describe('the fallback root', () => {
  it('holds empty mount points, the host top-level symlinks and an /etc of its own with nothing secret', () => {
    const { lower, mounts } = fallbackSetup(scratch, [], []);
    expect(readdirSync(join(lower, 'home'))).toEqual([]);
    expect(readdirSync(join(lower, 'root'))).toEqual([]);
    for (const gone of ['srv', 'opt', 'mnt', 'media', 'work']) expect(existsSync(join(lower, gone))).toBe(false);
    expect(existsSync(join(lower, 'etc/shadow'))).toBe(false);
    expect(readFileSync(join(lower, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    expect(readFileSync(join(lower, 'etc/passwd'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    if (lstatSync('/bin').isSymbolicLink()) expect(readlinkSync(join(lower, 'bin'))).toBe(readlinkSync('/bin'));
    // Only system directories are bound from the host.
    expect(mounts.filter((m) => m.kind === 'bind').map((m) => m.path).every((p) => /^\/(usr|bin|sbin|lib\w*|etc\/(ssl\/certs|ca-certificates|alternatives))$/.test(p))).toBe(true);
    expect(mounts.map((m) => m.path)).toContain('/usr');
  });

  it('is made once per content: a second start reuses it, so a root in use is never rewritten', () => {
    const first = fallbackSetup(scratch, [], []).lower;
    const marker = statSync(join(first, 'etc/passwd')).ino;
    expect(fallbackSetup(scratch, [], []).lower).toBe(first);
    expect(statSync(join(first, 'etc/passwd')).ino).toBe(marker);
    expect(readdirSync(scratch).filter((n) => n.startsWith('fallback-root'))).toEqual([first.split('/').pop()]);
  });

  it('binds visible paths outside the system directories, and hides hidden paths a bind would show', () => {
    const visible = join(scratch, 'sock');
    const secret = join(visible, 'state');
    mkdirSync(secret, { recursive: true });
    const mounts = fallbackSetup(scratch, [visible, '/usr/bin'], [secret, join(scratch, 'elsewhere')]).mounts;
    expect(mounts.filter((m) => m.path.startsWith(scratch))).toEqual([
      { kind: 'bind', path: visible },
      { kind: 'hide', path: secret },
    ]);
    expect(mounts.filter((m) => m.path === '/usr/bin')).toEqual([]);
  });

  it('a hidden path inside another hidden one gets no mount of its own (its mount point would show through)', () => {
    const socketDir = join(scratch, 'daemon');
    const dataRoot = join(socketDir, 'data');
    mkdirSync(join(dataRoot, 'simulator'), { recursive: true });
    const mounts = visibleMounts({ visible: [socketDir], hidden: [join(dataRoot, 'simulator'), dataRoot] });
    expect(mounts).toEqual([
      { kind: 'bind', path: socketDir },
      { kind: 'hide', path: dataRoot },
    ]);
  });
});

describe('replicaFstab', () => {
  it('mounts everything under the replica root: overlay over the lower dirs first, then /proc, /dev, /sys, binds, hides, volumes', () => {
    const fstab = replicaFstab('/data/replicas/r-1', 'disk', ['/data/images/roots/abc'], [
      { kind: 'bind', path: '/opt/my tools' },
      { kind: 'hide', path: '/srv/state' },
    ], [{ source: '/data/volumes/r-1/shared', target: '/shared' }, { source: '/usr', target: '/.host/usr', readOnly: true }]);
    const lines = fstab.trim().split('\n').map((l) => l.split(' '));
    expect(lines[0]).toEqual(['sockerless-root', '/data/replicas/r-1/root', 'overlay', 'lowerdir=/data/images/roots/abc,upperdir=/data/replicas/r-1/upper,workdir=/data/replicas/r-1/work', '0', '0']);
    expect(lines.map((l) => l[1])).toEqual([
      '/data/replicas/r-1/root',
      '/data/replicas/r-1/root/proc',
      '/data/replicas/r-1/root/dev',
      '/data/replicas/r-1/root/dev/shm',
      '/data/replicas/r-1/root/sys',
      '/data/replicas/r-1/root/opt/my\\040tools',
      '/data/replicas/r-1/root/srv/state',
      '/data/replicas/r-1/root/shared',
      '/data/replicas/r-1/root/.host/usr',
    ]);
    expect(lines[5]).toEqual(['/opt/my\\040tools', '/data/replicas/r-1/root/opt/my\\040tools', 'none', 'bind,ro,X-mount.mkdir', '0', '0']);
    expect(lines[6]![2]).toBe('tmpfs');
    expect(lines[7]![3]).toBe('bind,X-mount.mkdir');
    expect(lines[8]![3]).toBe('bind,ro,X-mount.mkdir');
  });

  it('keeps the writable layer on the tmpfs the launcher mounts when asked to', () => {
    expect(replicaFstab('/d/r', 'tmpfs', ['/l'], []).split('\n')[0]).toContain('upperdir=/d/r/layer/upper,workdir=/d/r/layer/work');
  });
});

describe('launcher', () => {
  it("tells the launcher's argv (and its final unshare --root) from the command's", () => {
    const tools = { sh: '/bin/sh', mount: '/usr/bin/mount', mkdir: '/usr/bin/mkdir', unshare: '/usr/bin/unshare' };
    const argv = launcherArgv(tools, { replicaDir: '/d/r', layer: 'disk', hostname: 'h', workingDir: '/', argv: ['sh', '-c', 'true'] });
    const shellArgv = argv.slice(argv.indexOf('--') + 1);
    expect(shellArgv[3]).toBe(LAUNCHER_NAME);
    expect(isLauncherArgv(shellArgv)).toBe(true);
    expect(isLauncherArgv(['/usr/bin/unshare', '--root=/d/r/root', '--wd=/', '--', 'sh'])).toBe(true);
    expect(isLauncherArgv(['sh', '-c', 'true'])).toBe(false);
    expect(argv.slice(-3)).toEqual(['sh', '-c', 'true']);
  });
});

describe('a launcher that cannot start', () => {
  it('fails the replica with 125 and what it said, whatever the host allows', async () => {
    const dataDir = mkdtempSync(join(scratch, 'launcher-'));
    const dirs = new ReplicaDirs(dataDir);
    try {
      // Standing in for an unshare that refuses: /bin/sh rejects the namespace flags and says so.
      const tools = { sh: '/bin/sh', mount: '/bin/false', mkdir: '/bin/false', unshare: '/bin/sh' };
      const launcher = new NamespaceLauncher(dirs, { tools, layer: 'disk', fallback: fallbackSetup(dataDir, [], []), imageMounts: [], imageBinds: [] }, 'test');
      const replica = launcher.launch({ replicaName: 'refused', argv: ['true'], env: () => ({ PATH: '/usr/bin:/bin' }) }, () => {});
      const end = await replica.ended;
      expect(end.kind).toBe('spawnFailed');
      expect(end.exitCode).toBe(125);
      expect(end.kind === 'spawnFailed' && end.message).toMatch(/^replica setup failed \(launcher exited 2 before it started\): .*-/);
      expect(replicaDirs(dataDir)).toEqual([]);
    } finally {
      dirs.close();
    }
  });
});

describe('signalDisposition', () => {
  it('reads whether a process catches, ignores or leaves a signal at its default', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; trap "echo usr1" USR1; echo ready; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    try {
      expect(signalDisposition(child.pid!, 'SIGTERM')).toBe('ignored');
      expect(signalDisposition(child.pid!, 'SIGUSR1')).toBe('caught');
      expect(signalDisposition(child.pid!, 'SIGHUP')).toBe('default');
    } finally {
      child.kill('SIGKILL');
    }
    expect(signalDisposition(2 ** 22 + 1, 'SIGTERM')).toBeUndefined();
  });
});

describe('fallback to unisolated executions', () => {
  it('when namespaces cannot be used, says so once, loudly, and still runs executions', async () => {
    const warnings: Array<{ o: object; msg?: string }> = [];
    // Overlay options cannot carry a comma: this data dir rules isolation out even as root.
    const dataDir = join(scratch, 'data,dir');
    const h = await startHarness({ dataDir, logger: { info() {}, warn: (o, msg) => warnings.push({ o, msg }) } });
    try {
      expect(h.sim.isolation).toBe('none');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toContain('NOT ISOLATED');
      expect(JSON.stringify(warnings[0]!.o)).toMatch(/cannot carry|not running as root|Linux-only/);
      expect(h.sim.isolationDetail).toMatch(/^none \(/);
      const name = jobName();
      const execution = await runJob(h, name, shellJob(h, 'true'));
      expect(await h.recorder.ended(execution)).toBe('Succeeded');
    } finally {
      await h.close();
    }
  });

  it('isolation: none turns it off without a warning; an unknown setting is refused', async () => {
    const warnings: string[] = [];
    const sim = await startSimulator({ isolation: 'none', logger: { info() {}, warn: (_, msg) => warnings.push(msg ?? '') } });
    try {
      expect(sim.isolation).toBe('none');
      expect(sim.isolationDetail).toBe('none (turned off by the isolation option)');
      expect(warnings).toEqual([]);
    } finally {
      await sim.close();
    }
    await expect(startSimulator({ isolation: 'sometimes' as 'none' })).rejects.toThrow(/isolation must be auto or none/);
  });
});
