// Issue 3 acceptance, `docker run` through the in-job agent: exact exit codes, both streams kept
// apart and live, stdin with half-close, stop and kill through the agent.
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from '../helpers/daemon';

const d = useTestDaemon(undefined, { pull: ['alpine'] });

describe('docker run with the agent', () => {
  it('docker run alpine sh -c "exit 3" exits 3', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });

  it('stdout and stderr arrive on their own streams', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo a; echo b >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'a\n', stderr: 'b\n' });
  });

  it('a process killed by a signal exits 128+n', async () => {
    expect((await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'kill -9 $$'])).code).toBe(137);
  });

  it('-w applies the working directory, created when missing; the agent\'s settings stay out of the env', async () => {
    const r = await d.cli(['run', '--rm', '-w', '/made/by/agent', 'alpine', 'sh', '-c', 'pwd; env | grep -c SOCKERLESS || true']);
    expect(r).toMatchObject({ code: 0, stdout: '/made/by/agent\n0\n' });
  });

  it("the agent's token shows neither in inspect nor in the container's logs", async () => {
    const run = await d.cli(['run', '--name', 'tokenless', 'alpine', 'sh', '-c', 'env']);
    expect(run.code).toBe(0);
    const inspect = (await d.cli(['inspect', 'tokenless'])).stdout;
    expect(inspect).not.toMatch(/SOCKERLESS_AGENT_TOKEN|sockerless-agent-token/);
    expect((await d.cli(['logs', 'tokenless'])).stdout).not.toContain('SOCKERLESS');
    await d.cli(['rm', 'tokenless']);
  });

  it('a command that does not exist exits 127 with the reason', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'no-such-command-here']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('no-such-command-here');
  });

  it('echo hi | docker run -i --rm alpine cat prints hi', async () => {
    const r = await d.cli(['run', '-i', '--rm', 'alpine', 'cat'], { input: 'hi\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
  });
});
