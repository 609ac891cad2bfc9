// run_latency_ms on the simulator's azure profile, beside the floor the profile itself imposes on
// one `docker run --rm`: the medians of its job PUT, start and delete operations, the replica's
// scheduling and the (cached) image pull. The daemon's share is what the run takes beyond that.
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import { statsDelta } from '../daemon-process';
import { atMost, round, type Figure } from '../figure';
import { median, percentile } from '../stats';
import { resolveFigures } from '../../src/simulator/profile/resolve';

/** The profile's figures one run with the agent waits for, in order (on its own job). */
const FLOOR_FIGURES = ['jobPutMs', 'jobStartMs', 'scheduleMs', 'imagePullCachedMs', 'jobDeleteMs'] as const;
/** The same for a warm run on a shared job (job reuse): no job PUT, no delete. */
const SHARED_FLOOR_FIGURES = ['jobStartMs', 'scheduleMs', 'imagePullCachedMs'] as const;

export function profileFloorMs(timeScale: number, shared = false): { ms: number; parts: Record<string, number> } {
  const figures = resolveFigures(timeScale);
  const parts = Object.fromEntries((shared ? SHARED_FLOOR_FIGURES : FLOOR_FIGURES).map((name) => [name, figures[name].median]));
  return { ms: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

export async function azureRunLatency(ctx: BenchContext, runs: number, warmup: number, timeScale: number): Promise<Figure[]> {
  const samples: number[] = [];
  // What the warm runs asked of ARM (the simulator's counters): with job reuse no job PUT or delete.
  const warmOps = { puts: 0, starts: 0, deletes: 0 };
  for (let i = 0; i < warmup + runs; i++) {
    const before = await ctx.daemon.simulatorStats();
    const run = await dockerRunRm(ctx.docker, IMAGE, ['true']);
    if (run.statusCode !== 0) throw new Error(`docker run --rm ${IMAGE} true exited ${run.statusCode}: ${run.output}`);
    const ops = statsDelta(before, await ctx.daemon.simulatorStats()).byOperation;
    ctx.log(`azure run ${i + 1}/${warmup + runs}${i < warmup ? ' (warm-up: cold image pull)' : ''}: ${round(run.ms, 0)} ms; job PUTs ${ops.Jobs_CreateOrUpdate ?? 0}, starts ${ops.Jobs_Start ?? 0}, deletes ${ops.Jobs_Delete ?? 0}`);
    if (i < warmup) continue;
    samples.push(run.ms);
    warmOps.puts += ops.Jobs_CreateOrUpdate ?? 0;
    warmOps.starts += ops.Jobs_Start ?? 0;
    warmOps.deletes += ops.Jobs_Delete ?? 0;
  }
  const shared = warmOps.puts === 0 && warmOps.deletes === 0;
  const floor = profileFloorMs(timeScale, shared);
  const run = median(samples);
  const overhead = run / floor.ms - 1;
  return [
    {
      name: 'run_latency_ms',
      value: round(run, 1),
      unit: 'ms',
      samples: runs,
      comparison: { label: 'profile floor', value: round(floor.ms, 1), unit: 'ms' },
      note: `azure profile, time scale ${timeScale}; p95 ${round(percentile(samples, 95), 1)} ms; floor = medians of ${Object.keys(floor.parts).join(' + ')}; ` +
        `the ${runs} warm runs made ${warmOps.puts} job PUTs, ${warmOps.starts} starts, ${warmOps.deletes} deletes (simulator counters)${shared ? ': the shared job, no PUT' : ''}`,
      detail: { samplesMs: samples.map((x) => round(x, 1)), floorParts: floor.parts, warmOps },
    },
    {
      name: 'run_overhead_vs_floor',
      value: round(overhead * 100, 1),
      unit: '%',
      samples: runs,
      comparison: { label: 'profile floor', value: round(floor.ms, 1), unit: 'ms' },
      target: atMost(round(overhead * 100, 1), 10),
      note: 'the daemon adds at most 10% to what the profile itself takes (medians; the profile draws each delay at random, so few runs are noisy)',
    },
  ];
}
