// The daemon restarts and nothing is lost (issue 5): a standalone simulator outlives two daemons
// that share its resource group; daemon A is killed with SIGKILL and started again on the same
// data root, daemon B is stopped with SIGTERM (live restore) and started again.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcaCloud } from '../../src/aca/aca-cloud';
import type { Cloud } from '../../src/aca/cloud';
import { acaConfigFrom } from '../../src/aca/connect';
import { parseSettings } from '../../src/settings';
import { eventually, freePort, startDaemonProcess, startSimulatorProcess, type DaemonProcess, type SimulatorProcess } from './processes';

type Inspect = { Id: string; Name: string; State: { Status: string; ExitCode: number; Running: boolean }; Aca: { AgentConnected: boolean } } & Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'sockerless-restart-'));
const shared = join(dir, 'shared');
/** A command that waits for a file the test creates, then exits with `code`. */
const waitFor = (file: string, code: number) => ['sh', '-c', `echo before; until [ -e ${join(shared, file)} ]; do sleep 0.1; done; echo after; exit ${code}`];
const release = (file: string) => writeFileSync(join(shared, file), '');

let sim: SimulatorProcess;
let a: DaemonProcess;
let b: DaemonProcess;
let cloud: Cloud;
const ports = { a: 0, b: 0 };
// Own jobs (reuse off; the default, reuse on, is shared-jobs.test.ts's): these daemons' jobs are named after their containers, which the orphan and execution checks read.
const envA = () => ({ ...sim.env, SOCKERLESS_ACA_POLL_INTERVAL_MS: '300', SOCKERLESS_RECONCILE_INTERVAL_MS: '500', SOCKERLESS_JOB_REUSE: 'off' });
const envB = () => ({ ...envA(), SOCKERLESS_AGENT: 'off' });
const ids: Record<string, string> = {};
let before: { ps: unknown[]; inspect: Record<string, Inspect> };
let orphanJob = '';
let bJob = '';

async function ok(d: DaemonProcess, args: string[]): Promise<string> {
  const r = await d.cli(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const inspect = async (d: DaemonProcess, id: string) => (await d.docker.getContainer(id).inspect()) as unknown as Inspect;
/** `docker ps -a` as dockerode lists it, without the relative-time status text. */
const ps = async (d: DaemonProcess) =>
  (await d.docker.listContainers({ all: true })).map(({ Status: _status, ...rest }) => rest).sort((x, y) => x.Id.localeCompare(y.Id));
const agentBack = (d: DaemonProcess, id: string) => eventually(async () => ((await inspect(d, id)).Aca.AgentConnected ? true : undefined));

beforeAll(async () => {
  mkdirSync(shared);
  sim = await startSimulatorProcess(dir, shared);
  cloud = createAcaCloud(acaConfigFrom(parseSettings(sim.env))!);
  [ports.a, ports.b] = [await freePort(), await freePort()];
  [a, b] = await Promise.all([
    startDaemonProcess(ports.a, join(dir, 'a'), envA(), join(dir, 'home-a')),
    startDaemonProcess(ports.b, join(dir, 'b'), envB(), join(dir, 'home-b')),
  ]);
  await Promise.all([ok(a, ['pull', 'alpine']), ok(b, ['pull', 'alpine'])]);
}, 120_000);

afterAll(async () => {
  for (const p of [a, b, sim]) {
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a daemon killed with SIGKILL and started again on the same data root', () => {
  it('shows the same containers, names, labels, states and exit codes', async () => {
    ids.created = await ok(a, ['create', '--name', 'created', '--label', 'kind=created', '-e', 'K=V', 'alpine', 'echo', 'never']);
    ids.run1 = await ok(a, ['run', '-d', '--name', 'run1', '--label', 'kind=running', 'alpine', ...waitFor('go1', 7)]);
    ids.run2 = await ok(a, ['run', '-d', '--name', 'run2', '--label', 'kind=running', 'alpine', ...waitFor('go2', 5)]);
    const e3 = await a.cli(['run', '--name', 'exit3', '--label', 'kind=exited', 'alpine', 'sh', '-c', 'exit 3']);
    expect(e3.code).toBe(3);
    ids.exit3 = await ok(a, ['inspect', '--format', '{{.Id}}', 'exit3']);
    await Promise.all([agentBack(a, ids.run1!), agentBack(a, ids.run2!)]);
    // An exec instance, to be found again after the restart.
    const exec = await a.docker.getContainer(ids.run1!).exec({ Cmd: ['true'], AttachStdout: true });
    ids.exec = exec.id;
    before = { ps: await ps(a), inspect: {} };
    for (const name of ['created', 'run1', 'run2', 'exit3']) before.inspect[name] = await inspect(a, ids[name]!);
    // B (no agent) runs a container in the same resource group.
    ids.b = await ok(b, ['run', '-d', '--name', 'b1', 'alpine', ...waitFor('goB', 4)]);
    bJob = `sockerless-${ids.b.slice(0, 12)}`;
    const instanceA = await ok(a, ['info', '--format', '{{.ID}}']);

    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    // While A is down: run2's process ends, and an orphan of A appears (a job no container of A owns).
    release('go2');
    const orphanId = randomBytes(32).toString('hex');
    orphanJob = `sockerless-${orphanId.slice(0, 12)}`;
    const orphanCloud = createAcaCloud({ ...acaConfigFrom(parseSettings(sim.env))!, instanceId: instanceA });
    await orphanCloud.runJob({ jobName: orphanJob, containerId: orphanId, image: 'alpine', command: ['sleep', '600'], env: [], cpu: 0.5, memory: '1Gi', replicaTimeout: 600 });

    a = await startDaemonProcess(ports.a, join(dir, 'a'), envA(), join(dir, 'home-a'));
    expect(await ok(a, ['info', '--format', '{{.ID}}'])).toBe(instanceA);
    await agentBack(a, ids.run1!);
    const after = { ps: (await ps(a)).filter((c) => c.Id !== ids.run2), inspect: {} as Record<string, Inspect> };
    for (const name of ['created', 'run1', 'exit3']) after.inspect[name] = await inspect(a, ids[name]!);
    expect(after.ps).toEqual((before.ps as Array<{ Id: string }>).filter((c) => c.Id !== ids.run2));
    expect(after.inspect.created).toEqual(before.inspect.created);
    expect(after.inspect.run1).toEqual(before.inspect.run1);
    expect(after.inspect.exit3).toEqual(before.inspect.exit3);
    expect(after.inspect.exit3!.State).toMatchObject({ Status: 'exited', ExitCode: 3 });
    expect(after.inspect.created!.State.Status).toBe('created');
    expect(after.inspect.run1!.State.Status).toBe('running');
    const execAfter = (await a.docker.getExec(ids.exec!).inspect()) as unknown as { ID: string; ContainerID: string; ProcessConfig: { entrypoint: string } };
    expect(execAfter).toMatchObject({ ID: ids.exec, ContainerID: ids.run1, ProcessConfig: { entrypoint: 'true' } });
  }, 180_000);

  it('shows a container whose process ended while it was down as exited, with its code', async () => {
    expect(await ok(a, ['wait', 'run2'])).toBe('5');
    const run2 = await inspect(a, ids.run2!);
    expect(run2.State).toMatchObject({ Status: 'exited', ExitCode: 5, Running: false });
    expect(run2.Name).toBe('/run2');
    expect((run2 as unknown as { Config: { Labels: object } }).Config.Labels).toEqual({ kind: 'running' });
  }, 60_000);

  it('execs into a container that kept running', async () => {
    expect(await ok(a, ['exec', 'run1', 'sh', '-c', 'echo exec-after-restart'])).toBe('exec-after-restart');
  }, 60_000);

  it('answers docker wait with the real exit code when the running one finishes', async () => {
    const waiting = ok(a, ['wait', 'run1']);
    release('go1');
    expect(await waiting).toBe('7');
    expect((await inspect(a, ids.run1!)).State).toMatchObject({ Status: 'exited', ExitCode: 7 });
    // Output from before and after the restart: the logs work again.
    expect((await ok(a, ['logs', 'run1'])).split('\n')).toEqual(expect.arrayContaining(['before', 'after']));
  }, 60_000);

  it('deletes its orphaned job and leaves the other daemon\'s job alone', async () => {
    await eventually(async () => ((await cloud.listManagedJobs()).some((j) => j.jobName === orphanJob) ? undefined : true));
    const jobs = await cloud.listManagedJobs();
    expect(jobs.map((j) => j.jobName)).toContain(bJob);
    expect(jobs.map((j) => j.jobName)).toContain(`sockerless-${ids.run1!.slice(0, 12)}`);
    expect((await inspect(b, ids.b!)).State.Status).toBe('running');
  }, 60_000);
});

describe('a daemon stopped with SIGTERM and started again', () => {
  it('leaves its executions running, and shows the exit code ACA reports once it is back', async () => {
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const [execution] = await cloud.listExecutions(bJob);
    expect(execution!.status).toBe('Running');
    release('goB');
    await eventually(async () => ((await cloud.listExecutions(bJob))[0]!.end ? true : undefined));
    b = await startDaemonProcess(ports.b, join(dir, 'b'), envB(), join(dir, 'home-b'));
    expect(await ok(b, ['wait', 'b1'])).toBe('4');
    expect((await inspect(b, ids.b!)).State).toMatchObject({ Status: 'exited', ExitCode: 4 });
  }, 120_000);
});
