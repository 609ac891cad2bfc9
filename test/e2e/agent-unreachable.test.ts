// An agent that never reaches the daemon (here: a callback URL nothing listens on; on a loaded
// machine: one that dials too late) leaves soon after its process ends, and ACA reports the end.
// An attach that was waiting for that agent then reads the output from Log Analytics instead.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from '../helpers/daemon';

const d = useTestDaemon({ env: { SOCKERLESS_CALLBACK_URL: 'ws://127.0.0.1:1/agent' } }, { pull: ['alpine'] });

describe('attach when the agent never makes contact', () => {
  it('an attach without an upgrade (dockerode run) gets the output from Log Analytics', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    // No AutoRemove: dockerode's run asks for the wait only after the start answers, and this start
    // answers at the exit (no agent to say the command runs); a removal that quick (job reuse: no
    // job to delete) would answer that wait with 404, as dockerd would.
    const [result, container] = (await d.docker.run('alpine', ['echo', 'hello'], out)) as [{ StatusCode: number }, { remove(): Promise<unknown> }];
    expect(result.StatusCode).toBe(0);
    await container.remove();
    // dockerode's run asks for a TTY: the terminal's \r\n, as dockerd gives it.
    expect(text).toBe('hello\r\n');
  });

  it('a hijacked attach (docker run) gets the output from Log Analytics', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo a; echo b >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'a\n', stderr: 'b\n' });
  });
});
