// Executions isolated like ACA replicas: own filesystem, PID 1, hostname; nothing left behind.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fallbackSetup } from '../../src/simulator/images/fallback-root';
import { NamespaceLauncher } from '../../src/simulator/isolation/namespace-launcher';
import { findTools } from '../../src/simulator/isolation/probe';
import { agentPaths, projectRoot } from '../../src/simulator/isolation/view';
import { ReplicaDirs } from '../../src/simulator/replica-dirs';
import { LRO, jobName, runJob, shellJob, startHarness, waitForRow } from './helpers';
import type { SimHarness } from './helpers';
import { IS_ROOT, finishRun, mountTablesMentioning, replicaDirs, replicaProcess, runScript } from './isolation-support';

// On the root filesystem and outside /tmp (which every replica gets empty anyway), so hiding is
// what keeps these out of sight.
const SCRATCH_PARENT = '/var/tmp';

describe.skipIf(!IS_ROOT)('isolated executions (needs root on Linux; skipped otherwise)', () => {
  let h: SimHarness;
  let scratch: string;
  let dataDir: string;
  let hidden: string;
  let visible: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(SCRATCH_PARENT, 'sockerless-isolation-'));
    dataDir = join(scratch, 'sim');
    hidden = join(scratch, 'secret');
    mkdirSync(hidden);
    writeFileSync(join(hidden, 'token'), 'do-not-read');
    visible = mkdtempSync(join(tmpdir(), 'sockerless-visible-'));
    writeFileSync(join(visible, 'tool'), 'shared-tool\n');
    h = await startHarness({ dataDir, hiddenPaths: [hidden], visiblePaths: [visible], stopGraceMs: 500 });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(visible, { recursive: true, force: true });
  });

  it('runs executions in namespaces', () => {
    expect(h.sim.isolation).toBe('namespaces');
    expect(h.sim.isolationDetail).toMatch(/^namespaces/);
  });

  it('two replicas write /tmp/same-name: each reads back its own, and the host has none', async () => {
    expect(existsSync('/tmp/same-name')).toBe(false);
    // The first replica reads its file only after the second wrote and read its own.
    const first = jobName('iso');
    const firstExecution = await runJob(
      h,
      first,
      shellJob(h, 'echo first > /tmp/same-name; trap "cat /tmp/same-name; exit 0" TERM; echo written; while :; do sleep 0.05; done'),
    );
    await waitForRow(h, first, ['stdout', 'written']);
    const second = await runScript(h, 'echo second > /tmp/same-name; cat /tmp/same-name');
    expect(second.stdout).toEqual(['second']);
    await h.arm.jobs.stopExecution(h.rg, first, firstExecution, LRO);
    const firstRun = await finishRun(h, first, firstExecution);
    expect(firstRun.stdout).toEqual(['written', 'first']);
    // The TERM handler chose the exit code: a signal PID 1 catches is delivered.
    expect(firstRun.code).toBe(0);
    expect(existsSync('/tmp/same-name')).toBe(false);
  });

  it("the command is PID 1 of its own PID namespace, sees only its processes, and the hostname is the replica's", async () => {
    const script = 'echo $$; cat /proc/sys/kernel/hostname; tr "\\0" "|" < /proc/1/cmdline; echo; ls /proc | grep -c "^[0-9]"';
    const run = await runScript(h, script);
    expect(run.status).toBe('Succeeded');
    const [pid, host, pid1, processes] = run.stdout;
    expect(Number(pid)).toBeLessThan(10);
    // PID 1 is whatever the job's command is (the agent, once it wraps commands): here `sh -c script`.
    expect(pid1).toBe(`sh|-c|${script}|`);
    expect(host).toBe(run.replica);
    expect(host).not.toBe(hostname());
    expect(Number(processes)).toBeLessThan(10);
  });

  it("writes anywhere land in the replica's own layer: the host and other replicas never see them", async () => {
    const marker = `/etc/sockerless-isolation-${process.pid}`;
    const run = await runScript(h, `echo mine > ${marker} && cat ${marker} && mkdir -p /opt/made/here && echo made && touch /usr/bin/sockerless-x 2>/dev/null || echo usr-read-only`);
    expect(run.stdout).toEqual(['mine', 'made', 'usr-read-only']);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync('/opt/made')).toBe(false);
    const other = await runScript(h, `test -e ${marker} && echo present || echo absent`);
    expect(other.stdout).toEqual(['absent']);
  });

  it("the host's private files are not there: no shadow, no homes, no /root, /srv, /opt, /var contents, no checkout", async () => {
    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'host file\n');
    const run = await runScript(
      h,
      `cat /etc/shadow 2>&1 | head -1; ls -A /home | wc -l; ls -A /root | wc -l; ls -A /srv /opt /mnt /media 2>/dev/null | wc -l; test -e ${victim} && echo victim-visible || echo victim-absent; test -e ${projectRoot()}/package.json && echo checkout-visible || echo checkout-absent; cut -d: -f1 /etc/passwd | tr "\\n" " "`,
    );
    expect(existsSync('/etc/shadow')).toBe(true);
    expect(run.stdout[0]).toMatch(/No such file/);
    expect(run.stdout.slice(1)).toEqual(['0', '0', '0', 'victim-absent', 'checkout-absent', 'root nobody ']);
  });

  it("the simulator's state, hidden paths and the host's /root are empty; visible paths are there, read-only", async () => {
    const run = await runScript(
      h,
      `ls -A ${dataDir} | wc -l; ls -A ${hidden} | wc -l; ls -A /root | wc -l; cat ${visible}/tool; touch ${visible}/new 2>/dev/null && echo writable || echo read-only`,
    );
    expect(run.stdout).toEqual(['0', '0', '0', 'shared-tool', 'read-only']);
  });

  it("the agent's toolchain is there: node and the directory of the agent's bundle, read-only", async () => {
    const bundles = agentPaths().bundles;
    const run = await runScript(h, `node -e "process.stdout.write(String(require('fs').existsSync('${bundles}')))"; echo; touch ${bundles}/x 2>/dev/null || echo read-only`);
    expect(run.stdout).toEqual(['true', 'read-only']);
  });

  it("a missing command fails like a runtime's exec, not like a command that exited 127", async () => {
    const job = jobName('iso');
    const spec = shellJob(h, '');
    spec.template!.containers![0] = { name: 'main', image: 'alpine', command: ['/no/such/binary'] };
    const run = await finishRun(h, job, await runJob(h, job, spec));
    expect(run.status).toBe('Failed');
    expect(run.code).toBe(127);
    const got = await h.arm.jobExecution(h.rg, job, run.execution);
    expect(got.message).toBe('exec: "/no/such/binary": no such file or directory');
  });

  it('SIGKILL of the replica from outside still takes its namespaces, mounts and directory', async () => {
    const job = jobName('iso');
    const execution = await runJob(h, job, shellJob(h, 'sleep 1000 & setsid sleep 1000 & echo up; wait'));
    await waitForRow(h, job, ['stdout', 'up']);
    const replica = (await h.arm.jobExecution(h.rg, job, execution)).detailedStatus!.replicas![0]!.name!;
    const pid = replicaProcess(dataDir, replica);
    expect(pid).toBeGreaterThan(0);
    // The check below can fail: while the replica runs, its overlay is in some mount table.
    expect(mountTablesMentioning(join(dataDir, 'replicas', replica))).not.toEqual([]);
    process.kill(-pid!, 'SIGKILL');
    const run = await finishRun(h, job, execution);
    expect(run.code).toBe(137);
    expect(replicaDirs(dataDir).filter((d) => d.startsWith(replica))).toEqual([]);
    expect(mountTablesMentioning(join(dataDir, 'replicas', replica))).toEqual([]);
  });

  it('deleting the job of a running replica answers once its namespaces, mounts and directory are gone', async () => {
    const job = jobName('iso');
    const execution = await runJob(h, job, shellJob(h, 'sleep 1000 & echo up; wait'));
    await waitForRow(h, job, ['stdout', 'up']);
    const replica = (await h.arm.jobExecution(h.rg, job, execution)).detailedStatus!.replicas![0]!.name!;
    await h.arm.jobs.delete(h.rg, job, LRO);
    expect(replicaDirs(dataDir).filter((d) => d.startsWith(replica))).toEqual([]);
    expect(mountTablesMentioning(join(dataDir, 'replicas', replica))).toEqual([]);
  });

  it('after 50 executions ran and their jobs were deleted, no mounts and no replica directories remain', async () => {
    for (let batch = 0; batch < 5; batch++) {
      const runs = await Promise.all(Array.from({ length: 10 }, () => runScript(h, 'echo data > /tmp/f; echo more > /etc/f')));
      expect(runs.map((r) => r.status)).toEqual(Array(10).fill('Succeeded'));
    }
    for (const job of h.sim.jobNames()) await h.arm.jobs.delete(h.rg, job, LRO);
    expect(replicaDirs(dataDir)).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dataDir);
    expect(mountTablesMentioning(dataDir)).toEqual([]);
  });
});

describe.skipIf(!IS_ROOT)('isolated executions end cleanly (needs root on Linux; skipped otherwise)', () => {
  it('close() with executions running kills them and removes every replica directory and namespace', async () => {
    const dataDir = mkdtempSync(join(SCRATCH_PARENT, 'sockerless-isolation-close-'));
    try {
      const h = await startHarness({ dataDir });
      const executions = await Promise.all(
        [1, 2, 3].map(async () => {
          const job = jobName('isoclose');
          const execution = await runJob(h, job, shellJob(h, 'trap "" TERM; echo up; sleep 1000'));
          await waitForRow(h, job, ['stdout', 'up']);
          return execution;
        }),
      );
      expect(replicaDirs(dataDir)).toHaveLength(executions.length);
      await h.close();
      expect(replicaDirs(dataDir)).toEqual([]);
      expect(mountTablesMentioning(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!IS_ROOT)('the tmpfs writable layer (needs root on Linux; skipped otherwise)', () => {
  it('works where the data dir cannot hold an overlay layer: writes stay in the replica, nothing is left', async () => {
    const dataDir = mkdtempSync(join(SCRATCH_PARENT, 'sockerless-isolation-tmpfs-'));
    const dirs = new ReplicaDirs(dataDir);
    try {
      const tools = findTools();
      if (typeof tools === 'string') throw new Error(tools);
      const launcher = new NamespaceLauncher(dirs, { tools, layer: 'tmpfs', fallback: fallbackSetup(dataDir, [], []), imageMounts: [], imageBinds: [] }, 'test');
      const lines: string[] = [];
      const replica = launcher.launch(
        { replicaName: 'tmpfs-layer', argv: ['sh', '-c', `echo kept > /etc/tmpfs-layer-${process.pid} && cat /etc/tmpfs-layer-${process.pid} && grep -c 'upperdir=[^,]*/layer/upper' /proc/self/mountinfo`], env: () => ({ PATH: '/usr/bin:/bin' }) },
        (_, line) => lines.push(line),
      );
      expect(await replica.ended).toEqual({ kind: 'exited', exitCode: 0 });
      // The replica's root is the overlay whose writable layer is under layer/, a tmpfs of its own.
      expect(lines).toEqual(['kept', '1']);
      expect(existsSync(`/etc/tmpfs-layer-${process.pid}`)).toBe(false);
      expect(replicaDirs(dataDir)).toEqual([]);
      expect(mountTablesMentioning(dataDir)).toEqual([]);
    } finally {
      dirs.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
