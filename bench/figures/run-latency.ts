// run_latency_ms and run_ratio_vs_spawn: one `docker run --rm alpine true` at a time, each
// followed by the same command spawned the way the simulator does it, so noise hits both alike.
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import { atMost, round, type Figure } from '../figure';
import { spawnLikeSimulator } from '../spawn-baseline';
import { median, percentile } from '../stats';

export async function runLatency(ctx: BenchContext, runs: number, warmup: number): Promise<Figure[]> {
  const viaDaemon: number[] = [];
  const spawned: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const run = await dockerRunRm(ctx.docker, IMAGE, ['true']);
    if (run.statusCode !== 0) throw new Error(`docker run --rm ${IMAGE} true exited ${run.statusCode}: ${run.output}`);
    const spawn = await spawnLikeSimulator(ctx.plan, ['true'], ctx.spawner);
    if (spawn.end.exitCode !== 0) throw new Error(`spawned baseline exited ${spawn.end.exitCode}`);
    if (i < warmup) continue;
    viaDaemon.push(run.ms);
    spawned.push(spawn.ms);
  }
  const run = median(viaDaemon);
  const spawn = median(spawned);
  const ratio = run / spawn;
  return [
    {
      name: 'run_latency_ms',
      value: round(run, 1),
      unit: 'ms',
      samples: runs,
      comparison: { label: 'spawn', value: round(spawn, 1), unit: 'ms' },
      note: `p95 ${round(percentile(viaDaemon, 95), 1)} ms; dockerode create/attach/wait(removed)/start, AutoRemove`,
      detail: { samplesMs: viaDaemon.map((x) => round(x, 1)), spawnSamplesMs: spawned.map((x) => round(x, 1)), spawnPlan: ctx.plan.description },
    },
    {
      name: 'run_ratio_vs_spawn',
      value: round(ratio, 2),
      unit: 'x',
      samples: runs,
      comparison: { label: 'spawn median', value: round(spawn, 1), unit: 'ms' },
      target: atMost(round(ratio, 2), 2.0),
      note: ctx.plan.description,
    },
  ];
}
