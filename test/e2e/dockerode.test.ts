// Flows as dockerode and docker-py drive them, against a daemon on the embedded simulator.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from '../helpers/daemon';
import { agentConnected } from './agent-helpers';

const d = useTestDaemon(undefined, { pull: ['alpine'] });

const collect = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (b: Buffer) => (text += b.toString()));
  return { stream: s, text: () => text };
};

/** A raw request on the daemon's socket, for inputs dockerode would refuse to send. */
async function raw(method: string, path: string, body?: string) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = request({ socketPath: d.socket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c)).on('end', () => resolve({ status: res.statusCode!, json: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dockerode', () => {
  it('docker.run with a TTY streams raw output over a non-upgraded attach and returns the exit code', async () => {
    const out = collect();
    const [result, container] = await d.docker.run('alpine', ['sh', '-c', 'echo from-tty; exit 4'], out.stream, { Tty: true });
    expect(result.StatusCode).toBe(4);
    // A terminal's output discipline turns \n into \r\n, as dockerd's TTY gives it.
    expect(out.text()).toBe('from-tty\r\n');
    await container.remove();
  });

  it('wait conditions: next-exit resolves with the code, removed after removal', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sh', '-c', 'exit 7'] });
    const nextExit = c.wait({ condition: 'next-exit' });
    await c.start();
    expect(await nextExit).toMatchObject({ StatusCode: 7 });
    const removed = c.wait({ condition: 'removed' });
    await c.remove();
    expect(await removed).toMatchObject({ StatusCode: 7 });
  });

  it('restart runs a new execution and ends running', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sleep', '30'] });
    await c.start();
    const before = ((await c.inspect()) as unknown as { Aca: { ExecutionName: string } }).Aca.ExecutionName;
    await c.restart({ t: 1 });
    const info = await c.inspect();
    expect(info.State.Running).toBe(true);
    expect((info as unknown as { Aca: { ExecutionName: string } }).Aca.ExecutionName).not.toBe(before);
    await c.remove({ force: true });
  });

  it('logs: tail, timestamps and the stream split', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sh', '-c', 'echo one; echo two; echo three >&2'] });
    await c.start();
    await c.wait();
    const tail = (await c.logs({ stdout: true, stderr: true, tail: 1 })) as Buffer;
    expect(tail[0]).toBe(2); // stderr frame
    expect(tail.subarray(8).toString()).toBe('three\n');
    const stdoutOnly = (await c.logs({ stdout: true, timestamps: true })) as Buffer;
    const lines = stdoutOnly.toString('latin1').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two$/);
    await c.remove();
  });

  it('list filters by label and status; rename keeps names unique', async () => {
    const a = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], name: 'alpha', Labels: { team: 'x' } });
    const b = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], name: 'beta' });
    const byLabel = await d.docker.listContainers({ all: true, filters: { label: ['team=x'] } });
    expect(byLabel.map((c) => c.Names[0])).toEqual(['/alpha']);
    const created = await d.docker.listContainers({ all: true, filters: JSON.stringify({ status: { created: true }, name: { beta: true } }) as never });
    expect(created.map((c) => c.Names[0])).toEqual(['/beta']);
    const dup = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], name: 'alpha' }).catch((e) => e);
    expect(dup.statusCode).toBe(409);
    expect((await b.rename({ name: 'alpha' }).catch((e) => e)).statusCode).toBe(409);
    await b.rename({ name: 'gamma' });
    expect((await b.inspect()).Name).toBe('/gamma');
    await a.remove();
    await b.remove();
  });

  it('events announce the lifecycle in order', async () => {
    const since = Math.floor(Date.now() / 1000);
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'] });
    await c.start();
    await c.wait();
    await c.remove();
    const stream = (await d.docker.getEvents({ since, until: Math.floor(Date.now() / 1000) + 1, filters: { container: [c.id] } })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    const actions = text.split('\n').filter(Boolean).map((l) => JSON.parse(l).Action);
    expect(actions).toEqual(['create', 'start', 'die', 'destroy']);
  });

  it('bad input gets Docker error JSON with 4xx and the daemon keeps serving', async () => {
    expect(await raw('POST', '/containers/create', '{not json')).toMatchObject({ status: 400 });
    expect(await raw('POST', '/containers/create', '{"Image": 5}')).toMatchObject({ status: 400 });
    expect(await raw('POST', '/containers/create?name=bad%20name', '{"Image":"alpine","Cmd":["true"]}')).toMatchObject({ status: 400 });
    expect(await raw('POST', '/containers/create', '{"Image":"never-pulled"}')).toEqual({ status: 404, json: { message: 'No such image: never-pulled' } });
    expect(await raw('GET', '/containers/json?all=maybe')).toMatchObject({ status: 400 });
    expect(await raw('GET', '/containers/json?filters=%7Bx')).toMatchObject({ status: 400 });
    expect(await raw('POST', '/v1.99/containers/create', '{}')).toMatchObject({ status: 400 });
    expect(await raw('POST', '/containers/nope/kill?signal=SIGNOPE')).toMatchObject({ status: 404 });
    expect(await raw('GET', '/nowhere')).toEqual({ status: 404, json: { message: 'page not found' } });
    const res = await raw('POST', '/containers/x/pause');
    expect(res.status).toBe(404);
    expect((await d.docker.ping()).toString()).toBe('OK');
  });

  it('pause answers 501 with the reason; exec goes through the agent', async () => {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sleep', '30'] });
    await c.start();
    const pause = await c.pause().catch((e) => e);
    expect(pause.statusCode).toBe(501);
    expect(pause.json.message).toMatch(/Azure Container Apps/);
    await agentConnected(d, c.id);
    const exec = await c.exec({ Cmd: ['sh', '-c', 'exit 4'] });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise((resolve) => stream.on('end', resolve).resume());
    expect((await exec.inspect()).ExitCode).toBe(4);
    await c.remove({ force: true });
  });
});
