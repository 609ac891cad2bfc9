// Prints the median (and spread) of `docker run --rm alpine true` against a daemon on the embedded
// simulator, unisolated and isolated, with and without the in-job agent, runs interleaved so all
// see the same machine load: `node --import tsx test/simulator/bench-docker-run.ts [runs]`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createLogger } from '../../src/log';
import type { IsolationSetting } from '../../src/simulator/options';
import { startDaemon } from '../../src/start';

interface Bench {
  label: string;
  run(): Promise<number>;
  close(): Promise<void>;
}

async function bench(isolation: IsolationSetting, agent: 'on' | 'off'): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'sockerless-bench-'));
  const socket = join(dir, 'docker.sock');
  const running = await startDaemon({
    hosts: [`unix://${socket}`],
    dataRoot: join(dir, 'data'),
    env: agent === 'off' ? { SOCKERLESS_AGENT: 'off' } : {},
    logger: createLogger('warn'),
    simulator: { isolation },
  });
  const env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      execFile('docker', ['run', '--rm', 'alpine', 'true'], { env }, (err, _out, stderr) =>
        err ? reject(new Error(`docker run failed: ${stderr}`)) : resolve(performance.now() - started),
      );
    });
  await once(); // warm-up: image record, first job
  return {
    label: `isolation=${running.simulator?.isolation ?? '?'}, agent ${agent}`,
    run: once,
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const runs = Number(process.argv[2] ?? 20);
const benches = [await bench('none', 'off'), await bench('auto', 'off'), await bench('none', 'on'), await bench('auto', 'on')];
const times = new Map<Bench, number[]>(benches.map((b) => [b, []]));
try {
  for (let i = 0; i < runs; i++) for (const b of benches) times.get(b)!.push(await b.run());
} finally {
  for (const b of benches) await b.close();
}
for (const b of benches) {
  const t = times.get(b)!.sort((x, y) => x - y);
  const at = (q: number): string => t[Math.min(t.length - 1, Math.floor(q * t.length))]!.toFixed(1);
  console.log(`docker run --rm alpine true, ${b.label}, ${runs} runs: median ${at(0.5)} ms, min ${at(0)} ms, p90 ${at(0.9)} ms`);
}
