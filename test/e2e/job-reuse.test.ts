// Job reuse against the embedded simulator: containers of one shape share a job, each start is
// one Jobs_Start with the container's template, rm deletes no job, and the idle sweep does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerJob } from '../helpers/container-job';
import { startTestDaemon, type TestDaemon, useTestDaemon } from '../helpers/daemon';

const d = useTestDaemon({ env: { SOCKERLESS_JOB_REUSE: 'on', SOCKERLESS_JOB_IDLE_MS: '0', SOCKERLESS_RECONCILE_INTERVAL_MS: '3600000' } }, { pull: ['alpine'] });

const sim = () => d.running.simulator!;
const ops = () => sim().stats().byOperation;
type Aca = { Aca: { JobName: string; ExecutionName: string } };

describe('job reuse', () => {
  it('a warm docker run --rm is one ARM write: no job PUT, no delete; each run has its own execution and output', async () => {
    const cold = await d.cli(['run', '--rm', 'alpine', 'echo', 'first']);
    expect(cold).toMatchObject({ code: 0, stdout: 'first\n' });
    const jobs = sim().jobNames();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatch(/^sockerless-s-[0-9a-f]{16}$/);

    sim().resetStats();
    const warm = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo second; exit 3']);
    expect(warm).toMatchObject({ code: 3, stdout: 'second\n' });
    const after = ops();
    expect(after.Jobs_CreateOrUpdate ?? 0).toBe(0);
    expect(after.Jobs_Delete ?? 0).toBe(0);
    expect(after.Jobs_Start).toBe(1);
    expect(sim().stats().writes).toBe(1);
    expect(sim().jobNames()).toEqual(jobs);
  });

  it('two containers on one job: inspect names the shared job and each its own execution; logs and exit codes never mix', async () => {
    const a = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sh', '-c', 'echo from-a; exit 5'] });
    const b = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sh', '-c', 'echo from-b; exit 6'] });
    await Promise.all([a.start(), b.start()]);
    expect(await a.wait()).toMatchObject({ StatusCode: 5 });
    expect(await b.wait()).toMatchObject({ StatusCode: 6 });
    const ia = (await a.inspect()) as unknown as Aca;
    const ib = (await b.inspect()) as unknown as Aca;
    expect(ia.Aca.JobName).toBe(ib.Aca.JobName);
    expect(ia.Aca.ExecutionName).not.toBe(ib.Aca.ExecutionName);
    expect(ia.Aca.ExecutionName.startsWith(ia.Aca.JobName)).toBe(true);
    const logs = async (id: string) => (await d.cli(['logs', id])).stdout;
    expect(await logs(a.id)).toBe('from-a\n');
    expect(await logs(b.id)).toBe('from-b\n');
    await Promise.all([a.remove(), b.remove()]);
    expect(sim().jobNames()).toContain(ia.Aca.JobName);
  });

  it('docker restart is a new execution on the same job, without a job write', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sleep', '30'] });
    await c.start();
    const before = (await c.inspect()) as unknown as Aca;
    sim().resetStats();
    await c.restart({ t: 1 });
    const after = (await c.inspect()) as unknown as Aca & { State: { Running: boolean } };
    expect(after.State.Running).toBe(true);
    expect(after.Aca.JobName).toBe(before.Aca.JobName);
    expect(after.Aca.ExecutionName).not.toBe(before.Aca.ExecutionName);
    expect(ops().Jobs_CreateOrUpdate ?? 0).toBe(0);
    expect(ops().Jobs_Delete ?? 0).toBe(0);
    await c.remove({ force: true });
  });

  it('a container with a secret environment variable gets a job of its own, deleted with it', async () => {
    const own = await startTestDaemon({ env: { SOCKERLESS_JOB_REUSE: 'on', SOCKERLESS_SECRET_ENV: 'API_KEY' } });
    try {
      await own.cli(['pull', 'alpine']);
      const r = await own.cli(['run', '-d', '-e', 'API_KEY=s3cret', 'alpine', 'true']);
      expect(r.code).toBe(0);
      const id = r.stdout.trim();
      const info = JSON.parse((await own.cli(['inspect', id])).stdout)[0] as Aca;
      expect(info.Aca.JobName).toBe(`sockerless-${id.slice(0, 12)}`);
      await own.cli(['wait', id]);
      await own.cli(['rm', id]);
      expect(own.running.simulator!.jobNames()).not.toContain(info.Aca.JobName);
    } finally {
      await own.close();
    }
  });

  it('a container whose image declares a VOLUME starts on a job of its own (the chart falls back from sharing), deleted with it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sockerless-vol-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM alpine\nVOLUME /data\n');
      expect((await d.cli(['build', '-q', '-t', 'with-volume', dir])).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const shared = sim().jobNames().filter((j) => j.startsWith('sockerless-s-'));
    const paths: string[] = [];
    const c = await d.docker.createContainer({ Image: 'with-volume', Cmd: ['sh', '-c', 'echo hi > /data/f && cat /data/f'] });
    const ref = d.running.daemon.find(c.id);
    if (!ref || ref === 'ambiguous') throw new Error('no actor for the container');
    const seen = ref.subscribe((snap) => paths.push(JSON.stringify(snap.value)));
    await c.start();
    expect(await c.wait()).toMatchObject({ StatusCode: 0 });
    seen.unsubscribe();
    // The chart went through sharing, was refused there, and ran the container's own job.
    expect(paths).toContain(JSON.stringify({ starting: 'sharing' }));
    expect(paths).toContain(JSON.stringify({ starting: 'calling' }));
    const info = (await c.inspect()) as unknown as Aca;
    expect(info.Aca.JobName).toBe(`sockerless-${c.id.slice(0, 12)}`);
    expect(sim().jobNames()).toContain(info.Aca.JobName);
    expect((await d.cli(['logs', c.id])).stdout).toBe('hi\n');
    await c.remove();
    expect(sim().jobNames()).not.toContain(info.Aca.JobName);
    // The shared jobs are untouched.
    expect(sim().jobNames().filter((j) => j.startsWith('sockerless-s-'))).toEqual(shared);
  });

  type Template = { properties: { template: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } } };
  const identity = async (t: TestDaemon, id: string) => {
    const job = await containerJob<Template>(t, id);
    const env = job.properties.template.containers.find((c) => c.name === 'main')?.env ?? [];
    const value = (name: string) => env.filter((e) => e.name === name).map((e) => e.value);
    return { id: value('SOCKERLESS_CONTAINER_ID'), name: value('SOCKERLESS_CONTAINER_NAME') };
  };

  it("each execution's template names its container (id and name), and the agent keeps both out of the process's env", async () => {
    // A value the user set for either is replaced: the execution names the container it runs.
    const r = await d.cli(['run', '-d', '--name', 'named-exec', '-e', 'SOCKERLESS_CONTAINER_NAME=spoof', 'alpine', 'sh', '-c', 'env; exit 0']);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect((await d.cli(['wait', id])).stdout.trim()).toBe('0');
    expect((await containerJob<Template>(d, id)).properties.template.containers).toHaveLength(1);
    expect(await identity(d, id)).toEqual({ id: [id], name: ['named-exec'] });
    const env = (await d.cli(['logs', id])).stdout;
    expect(env).not.toMatch(/^SOCKERLESS_/m);
    await d.cli(['rm', id]);
  });

  it('without an agent the template names the container too (and the process sees both variables)', async () => {
    const off = await startTestDaemon({ env: { SOCKERLESS_JOB_REUSE: 'on', SOCKERLESS_AGENT: 'off', SOCKERLESS_RECONCILE_INTERVAL_MS: '3600000' } });
    try {
      await off.cli(['pull', 'alpine']);
      // Attached, as `docker logs` right after the end may not have the line yet where logs come
      // from Log Analytics (the azure profile's ingestion delay): run follows until they settle.
      const r = await off.cli(['run', '--name', 'named-no-agent', 'alpine', 'sh', '-c', 'echo "$SOCKERLESS_CONTAINER_NAME"']);
      expect(r).toMatchObject({ code: 0, stdout: 'named-no-agent\n' });
      const info = (await off.docker.getContainer('named-no-agent').inspect()) as unknown as Aca & { Id: string };
      const id = info.Id;
      expect(info.Aca.JobName).toMatch(/^sockerless-s-[0-9a-f]{16}$/);
      expect(await identity(off, id)).toEqual({ id: [id], name: ['named-no-agent'] });
      // The shared job's own template names no container: only its executions do.
      const job = off.running.simulator!.job(info.Aca.JobName) as { properties: { template: { containers: { env?: { name: string }[] }[] } } };
      expect(job.properties.template.containers[0].env?.map((e) => e.name)).not.toContain('SOCKERLESS_CONTAINER_ID');
    } finally {
      await off.close();
    }
  });

  it('reconciliation deletes a shared job once no container holds an execution of it and it has been idle', async () => {
    const [job] = sim().jobNames();
    expect(job).toBeDefined();
    await d.running.reconciler.run();
    expect(sim().jobNames()).not.toContain(job);
    // The next run of the shape makes it again.
    expect(await d.cli(['run', '--rm', 'alpine', 'echo', 'again'])).toMatchObject({ code: 0, stdout: 'again\n' });
    expect(sim().jobNames()).toContain(job);
  });
});
