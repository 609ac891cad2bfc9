// Issue 20: each replica has its own network namespace on the simulator (slirp4netns), as an ACA
// replica has its own address. Seen through the docker CLI and plain sockets from the host.
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { describe, expect, it } from 'vitest';

import { useTestDaemon } from '../helpers/daemon';
import { IS_ROOT } from '../simulator/isolation-support';
import { startTcpDaemon } from '../ui/daemon-on-tcp';
import { agentConnected } from './agent-helpers';

const HAS_SLIRP = ['/usr/bin/slirp4netns', '/usr/local/bin/slirp4netns'].some((p) => existsSync(p));

/** A port nobody on the host listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** An HTTP server on port 80 of the container that answers with its own name. */
const httpServer = (name: string, port = 80) =>
  `require('http').createServer((q,s)=>s.end('${name}')).listen(${port},'0.0.0.0',()=>console.log('listening'))`;

async function fetchText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url);
    return await res.text();
  } catch {
    return undefined;
  }
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a TCP connection to 127.0.0.1:port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe.skipIf(!IS_ROOT || !HAS_SLIRP)('replicas have their own network (needs root and slirp4netns; skipped otherwise)', () => {
  const d = useTestDaemon({ env: { SOCKERLESS_PUBLISH_HOST_IP: '127.0.0.1' } }, { pull: ['alpine'] });

  it('docker info says executions get a network namespace', async () => {
    const info = await d.cli(['info', '--format', '{{json .DriverStatus}}']);
    const status = JSON.parse(info.stdout) as string[][];
    expect(status.find(([key]) => key === 'Simulator isolation')?.[1]).toMatch(/^namespaces \(mount, PID, UTS, network;/);
  });

  it('two containers both listen on port 80 at once, each reached through its own published port', async () => {
    const ids: string[] = [];
    for (const name of ['first', 'second']) {
      const run = await d.cli(['run', '-d', '-p', '127.0.0.1::80', 'alpine', 'node', '-e', httpServer(name)]);
      expect(run.code, run.stderr).toBe(0);
      ids.push(run.stdout.trim());
    }
    for (const [i, id] of ids.entries()) {
      await agentConnected(d, id);
      const port = await d.cli(['port', id, '80/tcp']);
      const hostPort = Number(port.stdout.trim().split(':').pop());
      expect(hostPort).toBeGreaterThan(0);
      const text = await until(async () => (await fetchText(`http://127.0.0.1:${hostPort}/`)) || undefined);
      expect(text).toBe(i === 0 ? 'first' : 'second');
    }
    // Both still run: neither failed to bind.
    for (const id of ids) {
      const state = await d.docker.getContainer(id).inspect();
      expect(state.State.Running).toBe(true);
    }
    await d.cli(['rm', '-f', ...ids]);
  });

  it('a port that is not published is not reachable from the host', async () => {
    const inside = await freePort();
    const run = await d.cli(['run', '-d', 'alpine', 'node', '-e', httpServer('hidden', inside)]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    await agentConnected(d, id);
    // The server is up inside (exec reaches it from its own namespace)...
    const inner = await until(async () => {
      const r = await d.cli(['exec', id, 'node', '-e', `fetch('http://127.0.0.1:${inside}/').then(r=>r.text()).then(t=>console.log(t),()=>process.exit(1))`]);
      return r.code === 0 ? r.stdout.trim() : undefined;
    });
    expect(inner).toBe('hidden');
    // ...yet the host's loopback has nothing on that port.
    expect(await accepts(inside)).toBe(false);
    await d.cli(['rm', '-f', id]);
  });

  it('a container reaches what the host reaches (a server on the host loopback, at 10.0.2.2)', async () => {
    const server = createHttpServer((_, res) => res.end('from the host')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await d.cli(['run', '--rm', 'alpine', 'node', '-e', `fetch('http://10.0.2.2:${port}/').then(r=>r.text()).then(t=>console.log(t))`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('from the host');
    } finally {
      server.close();
    }
  });

  it('the agent dials back a daemon that listens on loopback TCP only (ws://127.0.0.1:PORT), through the replica\'s own loopback', async () => {
    const tcp = await startTcpDaemon();
    try {
      const container = await tcp.docker.createContainer({ Image: 'alpine', Cmd: ['sh', '-c', 'sleep 30'] });
      await container.start();
      const deadline = Date.now() + 20_000;
      let connected = false;
      while (!connected && Date.now() < deadline) {
        const info = (await container.inspect()) as unknown as { Aca: { AgentConnected: boolean } };
        connected = info.Aca.AgentConnected;
        if (!connected) await new Promise((r) => setTimeout(r, 100));
      }
      expect(connected).toBe(true);
      // exec goes through that agent connection.
      const exec = await container.exec({ Cmd: ['hostname'], AttachStdout: true });
      const stream = await exec.start({});
      const out = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        stream.on('data', (b: Buffer) => chunks.push(b));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
      });
      expect(out.length).toBeGreaterThan(0);
      await container.remove({ force: true });
    } finally {
      await tcp.close();
    }
  });
});
