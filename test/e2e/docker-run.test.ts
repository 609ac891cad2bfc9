// The acceptance, with the installed docker CLI against a daemon on the embedded simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.close();
});

describe('docker CLI on the embedded simulator', () => {
  it('docker run --rm alpine echo hello prints hello, exits 0, and leaves no job behind', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'echo', 'hello']);
    expect(r.stderr).not.toContain('Error');
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
    // With job reuse the shape's shared job stays (reconciliation deletes it once idle); no job of the container's own does.
    expect(d.running.simulator!.jobNames().filter((name) => !name.startsWith('sockerless-s-'))).toEqual([]);
    expect((await d.cli(['ps', '-aq'])).stdout).toBe('');
  });

  it('a failing command: the exit code passes through, logs keep stdout and stderr apart', async () => {
    const r = await d.cli(['run', '--name', 'fails', 'alpine', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    const logs = await d.cli(['logs', 'fails']);
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');
    const state = JSON.parse((await d.cli(['inspect', 'fails'])).stdout)[0].State;
    expect(state).toMatchObject({ Status: 'exited', ExitCode: 3, Running: false });
    expect(Date.parse(state.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(state.StartedAt));
  });

  it('run -d, ps, stop, start on a new execution, kill → 137, rm -f', async () => {
    const run = await d.cli(['run', '-d', '--name', 'sleeper', 'alpine', 'sleep', '30']);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await d.cli(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toContain('sleeper running');
    const first = (await d.docker.getContainer(id).inspect()) as unknown as { Aca: { ExecutionName: string } };

    // The command is PID 1 with no SIGTERM handler: after the grace, SIGKILL (Docker's 137).
    expect((await d.cli(['stop', '-t', '1', 'sleeper'])).code).toBe(0);
    let info = await d.docker.getContainer(id).inspect();
    expect(info.State.Status).toBe('exited');
    expect(info.State.ExitCode).toBe(137);

    expect((await d.cli(['start', 'sleeper'])).code).toBe(0);
    info = await d.docker.getContainer(id).inspect();
    expect(info.State.Status).toBe('running');
    const second = info as unknown as { Aca: { ExecutionName: string } };
    expect(second.Aca.ExecutionName).not.toBe(first.Aca.ExecutionName);

    expect((await d.cli(['kill', 'sleeper'])).code).toBe(0);
    info = await d.docker.getContainer(id).inspect();
    expect(info.State).toMatchObject({ Status: 'exited', ExitCode: 137 });

    expect((await d.cli(['start', 'sleeper'])).code).toBe(0);
    expect((await d.cli(['rm', '-f', 'sleeper'])).code).toBe(0);
    expect((await d.cli(['ps', '-aq', '--no-trunc'])).stdout).not.toContain(id);
    expect(d.running.simulator!.jobNames()).not.toContain(`sockerless-${id.slice(0, 12)}`);
  });
});

describe('status rules through dockerode', () => {
  const statusOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { statusCode?: number }) => e.statusCode);

  it('start on running → 304, stop on exited → 304, kill on exited → 409, rm running → 409, unknown → 404', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sleep', '30'] });
    await c.start();
    expect(await statusOf(c.start())).toBe(304);
    expect(await statusOf(c.remove())).toBe(409);
    await c.stop({ t: 1 });
    expect(await statusOf(c.stop())).toBe(304);
    expect(await statusOf(c.kill())).toBe(409);
    await c.remove();
    const missing = await d.docker.getContainer('nope').inspect().catch((e) => e);
    expect(missing.statusCode).toBe(404);
    expect(missing.json).toEqual({ message: 'No such container: nope' });
  });
});
