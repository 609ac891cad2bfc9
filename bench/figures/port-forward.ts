// port_forward_mbps and port_forward_rtt_ms (issue 20): a TCP transfer and request/response round
// trips through a published port (the daemon's listener, the agent's connection, the agent), each
// beside the same exchange with the same server straight over loopback, in the same run. The
// replica's own ports are not reachable from the host (it has its own network namespace), so the
// comparison runs the same server code in a host process, by the same Node.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { BenchContext } from '../context';
import { IMAGE } from '../context';
import { round, type Figure } from '../figure';

const SERVER = (sink: number, echo: number) => `
const net = require('net');
net.createServer({ allowHalfOpen: true }, (s) => { let n = 0; s.on('data', (b) => (n += b.length)); s.on('end', () => s.end(String(n))); }).listen(${sink}, '127.0.0.1');
net.createServer((s) => { s.setNoDelay(true); s.on('data', (b) => s.write(b)); }).listen(${echo}, '127.0.0.1', () => console.log('ready'));`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The same servers as a host process; resolves once they listen. */
function hostServer(sink: number, echo: number): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SERVER(sink, echo)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the host comparison server exited ${code}`)));
    child.stdout!.once('data', () => resolve({ close: () => child.kill() }));
  });
}

/** Sends `bytes` and waits for the server's count; megabits per second. */
function transfer(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(256 * 1024, 7);
    const started = performance.now();
    let reply = '';
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('data', (b) => (reply += b));
    s.on('error', reject);
    s.on('close', () => {
      const ms = performance.now() - started;
      if (Number(reply) < bytes) return reject(new Error(`the server counted ${reply || 'nothing'} of ${bytes} bytes`));
      resolve((Number(reply) * 8) / 1e6 / (ms / 1000));
    });
  });
}

/** Median round trip of one small message, over one connection. */
function roundTrips(port: number, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.setNoDelay(true);
      let t = performance.now();
      s.write('x');
      s.on('data', () => {
        times.push(performance.now() - t);
        if (times.length >= n) {
          s.end();
          return resolve([...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
        }
        t = performance.now();
        s.write('x');
      });
    });
    s.on('error', reject);
  });
}

export async function portForward(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.agent) {
    const note = 'no agent in this daemon\'s jobs: published ports need it';
    return [
      { name: 'port_forward_mbps', value: null, unit: 'Mbit/s', samples: 0, note },
      { name: 'port_forward_rtt_ms', value: null, unit: 'ms', samples: 0, note },
    ];
  }
  const [sink, echo] = [await freePort(), await freePort()];
  const c = await ctx.docker.createContainer({
    Image: IMAGE,
    Cmd: ['node', '-e', SERVER(sink, echo)],
    ExposedPorts: { [`${sink}/tcp`]: {}, [`${echo}/tcp`]: {} },
    HostConfig: { PortBindings: { [`${sink}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }], [`${echo}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  const [hostSink, hostEcho] = [await freePort(), await freePort()];
  const host = await hostServer(hostSink, hostEcho);
  try {
    await c.start();
    const ports = (await c.inspect()).NetworkSettings.Ports as Record<string, { HostPort: string }[]>;
    const [sinkHost, echoHost] = [Number(ports[`${sink}/tcp`]![0]!.HostPort), Number(ports[`${echo}/tcp`]![0]!.HostPort)];
    // Until the server listens inside, the agent finds nothing and the connection closes empty.
    for (;;) {
      if (await roundTrips(echoHost, 1).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bytes = (ctx.quick ? 64 : 256) * 1024 * 1024;
    const trips = ctx.quick ? 200 : 1000;
    const reps = 3;
    const through: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < reps; i++) {
      through.push(await transfer(sinkHost, bytes));
      direct.push(await transfer(hostSink, bytes));
    }
    const best = (xs: number[]) => round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, 0);
    const rtt = await roundTrips(echoHost, trips);
    const rttDirect = await roundTrips(hostEcho, trips);
    return [
      {
        name: 'port_forward_mbps', value: best(through), unit: 'Mbit/s', samples: reps,
        comparison: { label: 'same transfer over loopback, no agent', value: best(direct), unit: 'Mbit/s' },
        note: `median of ${reps} uploads of ${bytes / 1024 / 1024} MiB through -p`,
      },
      {
        name: 'port_forward_rtt_ms', value: round(rtt, 3), unit: 'ms', samples: trips,
        comparison: { label: 'same round trip over loopback, no agent', value: round(rttDirect, 3), unit: 'ms' },
        note: `median of ${trips} one-byte round trips on one connection`,
      },
    ];
  } finally {
    host.close();
    await c.remove({ force: true }).catch(() => {});
  }
}
