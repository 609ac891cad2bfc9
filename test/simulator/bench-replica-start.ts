// Prints what isolation costs per replica, without daemon or HTTP: the medians of starting `true`
// (until it runs) and of running it to the end (directory removed), plain and in namespaces,
// interleaved: `node --import tsx test/simulator/bench-replica-start.ts [runs]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fallbackSetup } from '../../src/simulator/images/fallback-root';
import { NamespaceLauncher } from '../../src/simulator/isolation/namespace-launcher';
import { findTools } from '../../src/simulator/isolation/probe';
import { PlainLauncher } from '../../src/simulator/plain-launcher';
import type { ReplicaLauncher } from '../../src/simulator/replica';
import { ReplicaDirs } from '../../src/simulator/replica-dirs';

const runs = Number(process.argv[2] ?? 20);
const dataDir = mkdtempSync(join(tmpdir(), 'sockerless-bench-replica-'));
const dirs = new ReplicaDirs(dataDir);
const tools = findTools();
if (typeof tools === 'string') throw new Error(`namespaces cannot be measured here: ${tools}`);
const launchers: ReplicaLauncher[] = [
  new PlainLauncher(dirs, 'none'),
  new NamespaceLauncher(dirs, { tools, layer: 'disk', fallback: fallbackSetup(dataDir, [], []), imageMounts: [], imageBinds: [] }, 'namespaces'),
];
const started = new Map<ReplicaLauncher, number[]>(launchers.map((l) => [l, []]));
const ended = new Map<ReplicaLauncher, number[]>(launchers.map((l) => [l, []]));
try {
  for (let i = 0; i < runs + 1; i++) {
    for (const launcher of launchers) {
      const t0 = performance.now();
      const replica = launcher.launch({ replicaName: 'bench', argv: ['true'], env: () => ({ PATH: '/usr/bin:/bin' }) }, () => {});
      void replica.started.then(() => i > 0 && started.get(launcher)!.push(performance.now() - t0));
      const end = await replica.ended;
      if (end.kind !== 'exited' || end.exitCode !== 0) throw new Error(`replica failed: ${JSON.stringify(end)}`);
      if (i > 0) ended.get(launcher)!.push(performance.now() - t0); // run 0 warms up
    }
  }
} finally {
  dirs.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]): string => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
for (const launcher of launchers) {
  console.log(`replica running true, isolation=${launcher.description}, ${runs} runs: started ${median(started.get(launcher)!)} ms, ended ${median(ended.get(launcher)!)} ms (medians)`);
}
