// Issue 3 acceptance: docker exec through the agent (exit code, stdin, inspect, errors).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { runningWithAgent } from './agent-helpers';

let d: TestDaemon;
let id: string;
beforeAll(async () => {
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
  id = await runningWithAgent(d, ['sleep', '60']);
});
afterAll(async () => {
  await d?.close();
});

describe('docker exec with the agent', () => {
  it("docker exec ID sh -c 'echo x; exit 5' prints x and exits 5, stderr apart", async () => {
    const r = await d.cli(['exec', id, 'sh', '-c', 'echo x; echo y >&2; exit 5']);
    expect(r).toMatchObject({ code: 5, stdout: 'x\n', stderr: 'y\n' });
  });

  it('docker exec -i feeds stdin and sees its end', async () => {
    const r = await d.cli(['exec', '-i', id, 'sh', '-c', 'cat; echo done'], { input: 'line1\nline2\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'line1\nline2\ndone\n' });
  });

  it('exec inspect reports the exit code, and -w and -e apply', async () => {
    const exec = await d.docker.getContainer(id).exec({ Cmd: ['sh', '-c', 'echo "$PWD $GREETING"'], WorkingDir: '/tmp', Env: ['GREETING=hello'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    let out = '';
    stream.on('data', (b: Buffer) => (out += b.subarray(8).toString()));
    await new Promise((r) => stream.on('end', r));
    expect(out).toBe('/tmp hello\n');
    const info = await exec.inspect();
    expect(info).toMatchObject({ Running: false, ExitCode: 0, ContainerID: id });
    expect(info.Pid).toBeGreaterThan(0);
  });

  it('detached exec runs to its end', async () => {
    expect((await d.cli(['exec', '-d', id, 'sh', '-c', 'echo detached > /tmp/detached'])).code).toBe(0);
    for (;;) {
      const r = await d.cli(['exec', id, 'cat', '/tmp/detached']);
      if (r.code === 0) return expect(r.stdout).toBe('detached\n');
    }
  });

  it('exec on a stopped container answers 409; an unknown exec 404', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'] });
    const err = await c.exec({ Cmd: ['true'] }).catch((e) => e);
    expect(err.statusCode).toBe(409);
    expect(err.json.message).toContain('is not running');
    const missing = await d.docker.getExec('nope').inspect().catch((e) => e);
    expect(missing.statusCode).toBe(404);
  });
});
