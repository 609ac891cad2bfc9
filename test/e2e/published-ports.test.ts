// Issue 20: published ports through the agent. A TCP server inside the container is reached
// from the host through the daemon's listener, the agent's connection and the agent.
import { connect } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestDaemon, useTestDaemon } from '../helpers/daemon';
import { agentConnected } from './agent-helpers';

const d = useTestDaemon({ env: { SOCKERLESS_PUBLISH_HOST_IP: '127.0.0.1' } }, { pull: ['alpine'] });

/** A port nobody listens on now (the replica shares the host's network in this run). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// Echoes upper-cased, and after the client's FIN writes "bye" and closes: shows half-close both ways.
const echoServer = (port: number) =>
  `require('net').createServer({allowHalfOpen:true},s=>{s.on('data',b=>s.write(b.toString().toUpperCase()));s.on('end',()=>s.end('bye'))}).listen(${port},'127.0.0.1',()=>console.log('listening'))`;

/** Sends `text`, half-closes, and collects everything the server sends until it closes. */
function exchange(port: number, text: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => s.end(text));
    s.on('data', (b) => chunks.push(b));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The first exchange that the server inside answers (until it listens, the agent finds nothing and the connection closes empty). */
async function firstAnswer(port: number, text: string): Promise<string> {
  for (;;) {
    const got = (await exchange(port, text).catch(() => Buffer.alloc(0))).toString();
    if (got) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('published ports', () => {
  it('-p 127.0.0.1::PORT gets a free host port, shown by inspect, docker port and ps, and carries TCP both ways with half-close', async () => {
    const inside = await freePort();
    const run = await d.cli(['run', '-d', '-p', `127.0.0.1::${inside}`, 'alpine', 'node', '-e', echoServer(inside)]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    await agentConnected(d, id);

    const info = await d.docker.getContainer(id).inspect();
    const binding = info.NetworkSettings.Ports[`${inside}/tcp`];
    expect(binding).toHaveLength(1);
    expect(binding![0]!.HostIp).toBe('127.0.0.1');
    const hostPort = Number(binding![0]!.HostPort);
    expect(hostPort).toBeGreaterThan(0);
    expect(hostPort).not.toBe(inside);

    const port = await d.cli(['port', id]);
    expect(port.stdout.trim()).toBe(`${inside}/tcp -> 127.0.0.1:${hostPort}`);
    const list = await d.docker.listContainers({ filters: { id: [id] } });
    expect(list[0]!.Ports).toEqual([{ IP: '127.0.0.1', PrivatePort: inside, PublicPort: hostPort, Type: 'tcp' }]);
    const ps = await d.cli(['ps', '--filter', `id=${id}`, '--format', '{{.Ports}}']);
    expect(ps.stdout.trim()).toBe(`127.0.0.1:${hostPort}->${inside}/tcp`);

    expect(await firstAnswer(hostPort, 'hello')).toBe('HELLObye');
    // Many connections at once, each its own stream.
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => exchange(hostPort, `c${i}`)));
    expect(many.map((b) => b.toString())).toEqual(Array.from({ length: 12 }, (_, i) => `C${i}bye`));
    // More than the flow-control window, so acknowledgements must move it along.
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const back = await exchange(hostPort, big);
    expect(back.length).toBe(big.length + 3);
    expect(back.subarray(0, 5).toString()).toBe('AAAAA');

    await d.cli(['rm', '-f', id]);
    // The listener is gone with the container.
    await expect(exchange(hostPort, 'x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('an exposed port that was not published is not listed with a host port, and stopped containers show none', async () => {
    const inside = await freePort();
    const run = await d.cli(['run', '-d', '--expose', String(inside), 'alpine', 'node', '-e', echoServer(inside)]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    await agentConnected(d, id);
    const info = await d.docker.getContainer(id).inspect();
    expect(info.NetworkSettings.Ports).toEqual({ [`${inside}/tcp`]: null });
    expect((await d.cli(['port', id])).stdout.trim()).toBe('');
    await d.cli(['stop', '-t', '1', id]);
    expect((await d.docker.getContainer(id).inspect()).NetworkSettings.Ports).toEqual({});
    await d.cli(['rm', '-f', id]);
  });

  it('the API with an empty HostPort (Testcontainers\' way) and -P publish on free ports; a refused inner port closes the connection', async () => {
    const c = await d.docker.createContainer({
      Image: 'alpine', Cmd: ['sleep', '30'], ExposedPorts: { '7/tcp': {} },
      HostConfig: { PortBindings: { '7/tcp': [{ HostPort: '' }] } },
    });
    await c.start();
    await agentConnected(d, c.id);
    const hostPort = Number((await c.inspect()).NetworkSettings.Ports['7/tcp']![0]!.HostPort);
    expect(hostPort).toBeGreaterThan(0);
    // Nothing listens on 7 inside: the client's connection is closed without data.
    expect((await exchange(hostPort, 'x').catch(() => Buffer.alloc(0))).length).toBe(0);
    await c.remove({ force: true });

    const all = await d.cli(['run', '-d', '-P', '--expose', '9', 'alpine', 'sleep', '30']);
    expect(all.code, all.stderr).toBe(0);
    const ports = (await d.docker.getContainer(all.stdout.trim()).inspect()).NetworkSettings.Ports;
    expect(Number(ports['9/tcp']![0]!.HostPort)).toBeGreaterThan(0);
    await d.cli(['rm', '-f', all.stdout.trim()]);
  });

  it('a bad port spec is a 400; UDP is refused with a warning', async () => {
    const bad = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { PortBindings: { 'x/tcp': [{ HostPort: '1' }] } } }).catch((e) => e);
    expect(bad.statusCode).toBe(400);
    const udp = await d.cli(['create', '-p', '53/udp', 'alpine', 'true']);
    expect(udp.code, udp.stderr).toBe(0);
    expect(udp.stderr).toContain('port 53/udp is not published: only TCP is carried');
    await d.cli(['rm', '-f', udp.stdout.trim()]);
  });
});

describe('published ports without an agent', () => {
  it('are refused with a warning at create; inspect shows no binding', async () => {
    const off = await startTestDaemon({ env: { SOCKERLESS_AGENT: 'off' } });
    try {
      await off.cli(['pull', 'alpine']);
      const run = await off.cli(['run', '-d', '-p', '127.0.0.1::80', 'alpine', 'sleep', '5']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('published ports are carried by the in-job agent');
      const id = run.stdout.trim();
      expect((await off.docker.getContainer(id).inspect()).NetworkSettings.Ports).toEqual({ '80/tcp': null });
      await off.cli(['rm', '-f', id]);
    } finally {
      await off.close();
    }
  });

  it('a malformed PortBindings is a 400, never a crash', async () => {
    const bad = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { PortBindings: { '80/tcp': [null] } } } as never).catch((e) => e);
    expect(bad.statusCode).toBe(400);
  });
});
