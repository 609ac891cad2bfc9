// concurrent_runs_per_s: 200 `docker run --rm alpine true` with at most 50 in flight, every one of
// which must succeed; beside it, the same 200 commands spawned 50 at a time without the daemon.
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import { statsDelta } from '../daemon-process';
import { round, type Figure } from '../figure';
import { spawnLikeSimulator } from '../spawn-baseline';
import { median, percentile, pool } from '../stats';

const CONCURRENCY = 50;

/** `containers` is 200 in the full run; --quick runs fewer and the note says so. */
export async function concurrentRuns(ctx: BenchContext, reps: number, containers = 200): Promise<Figure[]> {
  const CONTAINERS = containers;
  const rates: number[] = [];
  const p95s: number[] = [];
  const spawnRates: number[] = [];
  const failures: string[] = [];
  const items = Array.from({ length: CONTAINERS }, (_, i) => i);
  const statsBefore = await ctx.daemon.simulatorStats();
  const rssBefore = ctx.daemon.rssKb();
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now();
    const latencies = await pool(items, CONCURRENCY, async () => {
      try {
        const run = await dockerRunRm(ctx.docker, IMAGE, ['true']);
        if (run.statusCode !== 0) failures.push(`exit ${run.statusCode}`);
        return run.ms;
      } catch (err) {
        failures.push((err as Error).message);
        return Number.NaN;
      }
    });
    const elapsed = performance.now() - started;
    rates.push((CONTAINERS * 1000) / elapsed);
    p95s.push(percentile(latencies.filter(Number.isFinite), 95));
    ctx.log(`  rep ${rep + 1}: ${round((CONTAINERS * 1000) / elapsed, 1)} runs/s, p95 ${round(p95s.at(-1)!, 0)} ms`);

    const spawnStarted = performance.now();
    await pool(items, CONCURRENCY, () => spawnLikeSimulator(ctx.plan, ['true'], ctx.spawner));
    spawnRates.push((CONTAINERS * 1000) / (performance.now() - spawnStarted));
  }
  const requests = statsDelta(statsBefore, await ctx.daemon.simulatorStats());
  const perRun = (n: number) => round(n / (CONTAINERS * reps), 1);
  const perRunOps = Object.fromEntries(Object.entries(requests.byOperation).map(([op, n]) => [op, perRun(n)]));
  ctx.log(`  simulator requests per run: ${JSON.stringify(perRunOps)}`);
  const rssGrowth = ctx.daemon.rssKb() - rssBefore;
  const rate = median(rates);
  const spawnRate = median(spawnRates);
  return [
    {
      name: 'concurrent_runs_per_s',
      value: failures.length ? null : round(rate, 1),
      unit: 'runs/s',
      samples: reps,
      comparison: { label: 'spawn', value: round(spawnRate, 1), unit: 'runs/s' },
      target: { text: 'all succeed', met: failures.length === 0 },
      note: failures.length
        ? `${failures.length} of ${CONTAINERS * reps} runs failed: ${[...new Set(failures)].slice(0, 3).join('; ')}`
        : `${CONTAINERS === 200 ? '' : `--quick: ${CONTAINERS} containers, not 200; `}${CONTAINERS} at once, client concurrency ${CONCURRENCY}; p95 ${round(median(p95s), 0)} ms; ${round(rate / spawnRate, 2)}x of spawn throughput; daemon RSS +${round(rssGrowth / 1024, 0)} MB over ${CONTAINERS * reps} removed containers`,
      detail: { rssGrowthKb: rssGrowth, simulatorRequestsPerRun: perRunOps, ratesPerS: rates.map((r) => round(r, 2)), p95Ms: p95s.map((p) => round(p, 1)), spawnRatesPerS: spawnRates.map((r) => round(r, 2)) },
    },
    {
      name: 'concurrent_runs_p95_ms',
      value: failures.length ? null : round(median(p95s), 0),
      unit: 'ms',
      samples: reps,
      note: 'p95 latency of one run inside the 200 (median over repetitions)',
    },
  ];
}
