// Issue 3 acceptance: output is live (a line arrives while the process still runs), logs serve
// it live too; stop and kill go through the agent; a wrong token is refused; a dropped
// connection comes back and the container keeps working.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CONTAINER_HEADER, TOKEN_HEADER } from '../../src/agent/protocol';
import { useTestDaemon } from '../helpers/daemon';
import { agentConnected, runningWithAgent } from './agent-helpers';

const d = useTestDaemon(undefined, { pull: ['alpine'] });

/** Starts the docker CLI and collects its output as it comes. */
function cli(args: string[]) {
  const child = spawn('docker', args, { env: { PATH: process.env.PATH, HOME: join(d.socket, '..'), DOCKER_HOST: `unix://${d.socket}` } });
  let stdout = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    exited,
    get done() {
      return done;
    },
    stdout: () => stdout,
    async seen(text: string) {
      while (!stdout.includes(text)) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

const WAIT_FOR_USR1 = "trap 'echo second; exit 0' USR1; echo first; while true; do sleep 0.05; done";

describe('live output through the agent', () => {
  it('docker run shows a line while the process is still running', async () => {
    const run = cli(['run', '--rm', '--name', 'live1', 'alpine', 'sh', '-c', WAIT_FOR_USR1]);
    await run.seen('first\n');
    expect(run.done).toBe(false);
    expect((await d.cli(['kill', '-s', 'USR1', 'live1'])).code).toBe(0);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe('first\nsecond\n');
  });

  it('docker logs -f serves lines live and ends when the container exits; logs keep the streams apart', async () => {
    const id = await runningWithAgent(d, ['sh', '-c', `echo err >&2; ${WAIT_FOR_USR1}`]);
    const follow = cli(['logs', '-f', id]);
    await follow.seen('first\n');
    expect(follow.done).toBe(false);
    await d.cli(['kill', '-s', 'USR1', id]);
    expect(await follow.exited).toBe(0);
    expect(follow.stdout()).toBe('first\nsecond\n');
    const logs = await d.cli(['logs', id]);
    expect(logs).toMatchObject({ stdout: 'first\nsecond\n', stderr: 'err\n' });
    expect((await d.cli(['logs', '--tail', '1', id])).stdout).toBe('second\n');
    expect((await d.cli(['logs', '-t', id])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z first\n/);
  });

  it('kill -s HUP delivers the signal and the container keeps running', async () => {
    const id = await runningWithAgent(d, ['sh', '-c', "trap 'echo got HUP' HUP; echo ready; while true; do sleep 0.05; done"]);
    const follow = cli(['logs', '-f', id]);
    // The command is PID 1: a signal that comes before its handler is installed is not delivered.
    await follow.seen('ready\n');
    expect((await d.cli(['kill', '-s', 'HUP', id])).code).toBe(0);
    await follow.seen('got HUP\n');
    expect((await d.docker.getContainer(id).inspect()).State.Running).toBe(true);
    await d.cli(['rm', '-f', id]);
    await follow.exited;
  });
});

describe('stop through the agent', () => {
  it("docker stop -t 1 on sh -c \"trap '' TERM; sleep 60\" ends with 137", async () => {
    const id = await runningWithAgent(d, ['sh', '-c', "trap '' TERM; sleep 60"]);
    expect((await d.cli(['stop', '-t', '1', id])).code).toBe(0);
    expect((await d.docker.getContainer(id).inspect()).State.ExitCode).toBe(137);
  });

  // Docker runs the command as PID 1, which has no handler for SIGTERM: the grace runs out, 137.
  it('docker stop -t 1 on a plain sleep 60 ends with 137 (PID 1 ignores SIGTERM)', async () => {
    const id = await runningWithAgent(d, ['sleep', '60']);
    expect((await d.cli(['stop', '-t', '1', id])).code).toBe(0);
    expect((await d.docker.getContainer(id).inspect()).State.ExitCode).toBe(137);
  });

  it('with --init the command gets SIGTERM: docker stop on a plain sleep 60 ends with 143', async () => {
    const id = await runningWithAgent(d, ['sleep', '60'], ['--init']);
    expect((await d.cli(['stop', '-t', '30', id])).code).toBe(0);
    expect((await d.docker.getContainer(id).inspect()).State.ExitCode).toBe(143);
  });
});

describe('the agent connection', () => {
  const dial = (id: string, token?: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws+unix://${d.socket}:/agent`, { headers: { [CONTAINER_HEADER]: id, ...(token && { [TOKEN_HEADER]: token }) } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), resolve(101)));
      ws.on('error', () => {});
    });

  it('a wrong or missing token is refused with 401 and the container is unaffected', async () => {
    const id = await runningWithAgent(d, ['sleep', '60']);
    expect(await dial(id, 'not-the-token')).toBe(401);
    expect(await dial(id)).toBe(401);
    expect(await dial('0'.repeat(64), 'x')).toBe(401);
    expect((await d.cli(['exec', id, 'echo', 'ok'])).stdout).toBe('ok\n');
    await d.cli(['rm', '-f', id]);
  });

  it('a dropped connection reconnects; output is neither lost nor doubled; exec works again', async () => {
    const id = await runningWithAgent(d, ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.02; done']);
    const follow = cli(['logs', '-f', id]);
    await follow.seen('line 5\n');
    d.running.daemon.agents.link(id)!.drop();
    await agentConnected(d, id);
    const after = Number(/line (\d+)\n$/.exec(follow.stdout())?.[1] ?? 0) + 10;
    await follow.seen(`line ${after}\n`);
    expect((await d.cli(['exec', id, 'echo', 'back'])).stdout).toBe('back\n');
    await d.cli(['rm', '-f', id]);
    await follow.exited;
    const numbers = follow.stdout().trim().split('\n').map((l) => Number(l.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i));
  });
});
