// peer_forward_mbps (issue 20 item 3): a TCP upload from one container to another of the same
// user network, by the server's name, through both agents and the daemon's relay; beside the same
// upload over the server container's own loopback (the same client run there by exec), same run.
import type { Duplex } from 'node:stream';
import type { BenchContext } from '../context';
import { IMAGE } from '../context';
import { round, type Figure } from '../figure';

const PORT = 7100;
const SINK = `require('net').createServer({ allowHalfOpen: true }, (s) => { let n = 0; s.on('data', (b) => (n += b.length)); s.on('end', () => s.end(String(n))); }).listen(${PORT})`;

/** Uploads `bytes` to host:port `reps` times (after one small upload that waits for the server) and prints the median Mbit/s. */
const CLIENT = `
const net = require('net');
const [host, port, bytes, reps] = [process.argv[1], +process.argv[2], +process.argv[3], +process.argv[4]];
const chunk = Buffer.alloc(256 * 1024, 7);
const upload = (n) => new Promise((resolve, reject) => {
  const t = performance.now();
  let reply = '';
  const s = net.connect({ host, port, allowHalfOpen: true }, () => {
    let sent = 0;
    const pump = () => { while (sent < n) { sent += chunk.length; if (!s.write(chunk)) return void s.once('drain', pump); } s.end(); };
    pump();
  });
  s.on('data', (b) => (reply += b));
  s.on('error', reject);
  s.on('close', () => (Number(reply) >= n ? resolve((n * 8) / 1e6 / ((performance.now() - t) / 1000)) : reject(new Error('short'))));
});
(async () => {
  for (let i = 0; ; i++) {
    try { await upload(chunk.length); break; } catch { if (i > 300) process.exit(1); await new Promise((r) => setTimeout(r, 100)); }
  }
  const xs = [];
  for (let i = 0; i < reps; i++) xs.push(await upload(bytes));
  xs.sort((a, b) => a - b);
  console.log(xs[Math.floor(reps / 2)].toFixed(0));
})();`;

function collect(stream: Duplex | NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    stream.on('data', (b: Buffer) => (out += b.toString()));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

export async function peerForward(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.agent) return [{ name: 'peer_forward_mbps', value: null, unit: 'Mbit/s', samples: 0, note: 'no agent in this daemon\'s jobs: names between containers need it' }];
  const bytes = (ctx.quick ? 64 : 256) * 1024 * 1024;
  const reps = 3;
  const network = `bench-peers-${process.pid}`;
  await ctx.docker.createNetwork({ Name: network });
  const server = await ctx.docker.createContainer({
    Image: IMAGE, Cmd: ['node', '-e', SINK], ExposedPorts: { [`${PORT}/tcp`]: {} },
    HostConfig: { NetworkMode: network }, NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['sink'] } } },
  });
  const client = await ctx.docker.createContainer({
    Image: IMAGE, Tty: true, Cmd: ['node', '-e', CLIENT, 'sink', String(PORT), String(bytes), String(reps)], HostConfig: { NetworkMode: network },
  });
  try {
    await server.start();
    await client.start();
    const { StatusCode } = (await client.wait()) as { StatusCode: number };
    const through = Number(((await client.logs({ stdout: true, stderr: true })) as Buffer).toString().trim());
    if (StatusCode !== 0 || !Number.isFinite(through)) throw new Error(`the client by name exited ${StatusCode}`);
    const exec = await server.exec({ Cmd: ['node', '-e', CLIENT, '127.0.0.1', String(PORT), String(bytes), String(reps)], AttachStdout: true, AttachStderr: true, Tty: true });
    const direct = Number((await collect(await exec.start({ hijack: true, stdin: false, Tty: true }))).trim());
    return [
      {
        name: 'peer_forward_mbps', value: round(through, 0), unit: 'Mbit/s', samples: reps,
        comparison: { label: 'same upload over the server container\'s loopback', value: Number.isFinite(direct) ? round(direct, 0) : null, unit: 'Mbit/s' },
        note: `median of ${reps} uploads of ${bytes / 1024 / 1024} MiB from another container, by name (two agents and the daemon's relay)`,
      },
    ];
  } finally {
    await client.remove({ force: true }).catch(() => {});
    await server.remove({ force: true }).catch(() => {});
    await ctx.docker.getNetwork(network).remove().catch(() => {});
  }
}
