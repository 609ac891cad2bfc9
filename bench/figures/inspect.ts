// inspect_rps and inspect_ratio_vs_bare: autocannon (a separate process) with 64 connections against
// GET /containers/{id}/json and, alternating with it, the same server's GET /_ping.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext } from '../context';
import { REPO_ROOT } from '../daemon-process';
import { atLeast, round, type Figure } from '../figure';
import { median } from '../stats';

interface CannonResult {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

function autocannon(url: string, seconds: number, connections: number): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const bin = join(REPO_ROOT, 'node_modules', 'autocannon', 'autocannon.js');
    const child = spawn(process.execPath, [bin, '-c', String(connections), '-d', String(seconds), '-j', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as { requests: { average: number }; latency: { p99: number }; non2xx: number; errors: number };
      resolve({ rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

export async function inspectRps(ctx: BenchContext, containerId: string, reps: number, seconds: number): Promise<Figure[]> {
  const CONNECTIONS = 64;
  const inspectUrl = `${ctx.daemon.url}/containers/${containerId}/json`;
  const pingUrl = `${ctx.daemon.url}/_ping`;
  // Warm both routes (JIT, sockets) before anything counts.
  await autocannon(inspectUrl, 2, CONNECTIONS);
  await autocannon(pingUrl, 1, CONNECTIONS);
  const inspect: CannonResult[] = [];
  const ping: CannonResult[] = [];
  for (let i = 0; i < reps; i++) {
    ping.push(await autocannon(pingUrl, seconds, CONNECTIONS));
    inspect.push(await autocannon(inspectUrl, seconds, CONNECTIONS));
    ctx.log(`  rep ${i + 1}: inspect ${round(inspect.at(-1)!.rps, 0)} req/s, ping ${round(ping.at(-1)!.rps, 0)} req/s`);
  }
  const bad = [...inspect, ...ping].reduce((n, r) => n + r.non2xx + r.errors, 0);
  const inspectRate = median(inspect.map((r) => r.rps));
  const pingRate = median(ping.map((r) => r.rps));
  const ratio = inspectRate / pingRate;
  return [
    {
      name: 'inspect_rps',
      value: round(inspectRate, 0),
      unit: 'req/s',
      samples: reps,
      comparison: { label: '/_ping', value: round(pingRate, 0), unit: 'req/s' },
      note: `${CONNECTIONS} connections, ${seconds} s each, a running container; p99 ${median(inspect.map((r) => r.p99Ms))} ms${bad ? `; ${bad} errors/non-2xx` : ''}`,
      detail: { inspect, ping },
    },
    {
      name: 'inspect_ratio_vs_bare',
      value: round(ratio, 2),
      unit: 'x',
      samples: reps,
      comparison: { label: '/_ping', value: round(pingRate, 0), unit: 'req/s' },
      target: atLeast(round(ratio, 2), 0.5),
    },
  ];
}
