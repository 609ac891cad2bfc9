// Job reuse (on by default) across a daemon restart: a standalone simulator outlives a daemon
// killed with SIGKILL; started again on the same data root, the daemon knows its shared job (no
// job PUT), and each container follows its own execution of that job, by execution name.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcaCloud } from '../../src/aca/aca-cloud';
import type { Cloud } from '../../src/aca/cloud';
import { acaConfigFrom } from '../../src/aca/connect';
import { parseSettings } from '../../src/settings';
import { eventually, freePort, startDaemonProcess, startSimulatorProcess, type DaemonProcess, type SimulatorProcess } from './processes';

type Inspect = { State: { Status: string; ExitCode: number; Running: boolean }; Aca: { JobName: string; ExecutionName: string; AgentConnected: boolean } };
type Stats = { writes: number; byOperation: Record<string, number> };

const dir = mkdtempSync(join(tmpdir(), 'sockerless-shared-restart-'));
const shared = join(dir, 'shared');
const waitFor = (file: string, code: number) => ['sh', '-c', `until [ -e ${join(shared, file)} ]; do sleep 0.1; done; exit ${code}`];
const release = (file: string) => writeFileSync(join(shared, file), '');

let sim: SimulatorProcess;
let d: DaemonProcess;
let cloud: Cloud;
let port = 0;
const env = () => ({ ...sim.env, SOCKERLESS_ACA_POLL_INTERVAL_MS: '300', SOCKERLESS_RECONCILE_INTERVAL_MS: '3600000' });
const start = () => startDaemonProcess(port, join(dir, 'data'), env(), join(dir, 'home'));

async function ok(args: string[]): Promise<string> {
  const r = await d.cli(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}
const inspect = async (id: string) => (await d.docker.getContainer(id).inspect()) as unknown as Inspect;

/** The simulator's request counters (its uncounted /_simulator/stats route). */
function simulatorStats(): Promise<Stats> {
  const url = new URL('/_simulator/stats', sim.env.SOCKERLESS_ACA_ENDPOINT);
  return new Promise((resolve, reject) => {
    request(url, { ca: readFileSync(sim.env.SOCKERLESS_ACA_CA_FILE!) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Stats));
    }).on('error', reject).end();
  });
}
const delta = (before: Stats, after: Stats, op: string) => (after.byOperation[op] ?? 0) - (before.byOperation[op] ?? 0);

beforeAll(async () => {
  mkdirSync(shared);
  sim = await startSimulatorProcess(dir, shared);
  cloud = createAcaCloud(acaConfigFrom(parseSettings(sim.env))!);
  port = await freePort();
  d = await start();
  await ok(['pull', 'alpine']);
}, 120_000);

afterAll(async () => {
  for (const p of [d, sim]) {
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('job reuse across a daemon killed with SIGKILL', () => {
  const ids: Record<string, string> = {};
  const before: Record<string, Inspect> = {};

  it('each container adopts its own execution of the shared job, and the next run makes no job PUT', async () => {
    ids.a = await ok(['run', '-d', '--name', 'ca', 'alpine', ...waitFor('goA', 3)]);
    ids.b = await ok(['run', '-d', '--name', 'cb', 'alpine', ...waitFor('goB', 4)]);
    await eventually(async () => ((await inspect(ids.a!)).Aca.AgentConnected && (await inspect(ids.b!)).Aca.AgentConnected ? true : undefined));
    for (const k of ['a', 'b']) before[k] = await inspect(ids[k]!);
    const job = before.a!.Aca.JobName;
    expect(job).toMatch(/^sockerless-s-[0-9a-f]{16}$/);
    expect(before.b!.Aca.JobName).toBe(job);
    expect(before.a!.Aca.ExecutionName).not.toBe(before.b!.Aca.ExecutionName);

    d.child.kill('SIGKILL');
    expect(await d.exited).toBe('SIGKILL');
    // While the daemon is down, a's process ends; b's, on the same job, runs on (and is the job's newest execution).
    release('goA');
    await eventually(async () => ((await cloud.listExecutions(job)).find((e) => e.executionName === before.a!.Aca.ExecutionName)?.end ? true : undefined));

    d = await start();
    const stats = await simulatorStats();
    expect(await ok(['wait', 'ca'])).toBe('3');
    const a = await inspect(ids.a!);
    expect(a.State).toMatchObject({ Status: 'exited', ExitCode: 3, Running: false });
    expect(a.Aca).toMatchObject({ JobName: job, ExecutionName: before.a!.Aca.ExecutionName });
    const b = await inspect(ids.b!);
    expect(b.State).toMatchObject({ Status: 'running', Running: true });
    expect(b.Aca).toMatchObject({ JobName: job, ExecutionName: before.b!.Aca.ExecutionName });
    const waiting = ok(['wait', 'cb']);
    release('goB');
    expect(await waiting).toBe('4');

    // The registry of shared jobs came back from the store: the next run is one Jobs_Start on the same job.
    const run = await d.cli(['run', '--rm', 'alpine', 'echo', 'warm']);
    expect(run).toMatchObject({ code: 0, stdout: 'warm\n' });
    const after = await simulatorStats();
    expect(delta(stats, after, 'Jobs_CreateOrUpdate')).toBe(0);
    expect(delta(stats, after, 'Jobs_Start')).toBe(1);
    expect((await cloud.listManagedJobs()).map((j) => j.jobName)).toEqual([job]);
  }, 180_000);

  it('a shared job deleted behind the daemon\'s back is made again by the next run', async () => {
    const job = before.a!.Aca.JobName;
    await cloud.deleteJob(job);
    const stats = await simulatorStats();
    const run = await d.cli(['run', '--rm', 'alpine', 'echo', 'again']);
    expect(run).toMatchObject({ code: 0, stdout: 'again\n' });
    const after = await simulatorStats();
    expect(delta(stats, after, 'Jobs_CreateOrUpdate')).toBe(1);
    expect((await cloud.listManagedJobs()).map((j) => j.jobName)).toEqual([job]);
  }, 120_000);
});
