// concurrent_runs_per_s: 200 `docker run --rm alpine true` with at most 50 in flight, every one of
// which must succeed, with the daemon's ARM budget on (its default); beside it the bound that budget
// allows (writes per second / writes per run), the same 200 runs on a second daemon with job reuse
// off, and the same 200 commands spawned 50 at a time without the daemon.
import Docker from 'dockerode';
import { DEFAULT_ARM_RATES, parseArmRates } from '../../src/aca/arm-budget';
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import { startDaemonProcess, statsDelta } from '../daemon-process';
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
  const reuseOff = await reuseOffRate(ctx, items);
  const perRun = (n: number) => round(n / (CONTAINERS * reps), 1);
  const perRunOps = Object.fromEntries(Object.entries(requests.byOperation).map(([op, n]) => [op, perRun(n)]));
  ctx.log(`  simulator requests per run: ${JSON.stringify(perRunOps)}`);
  const rssGrowth = ctx.daemon.rssKb() - rssBefore;
  const rate = median(rates);
  const spawnRate = median(spawnRates);
  // The steady rate the budget allows: its writes per second over the writes one run takes (the
  // burst lets a fresh daemon go faster for its first writes; both daemons here start with it full).
  const budget = parseArmRates(process.env.SOCKERLESS_ARM_BUDGET);
  const writesPerSecond = budget === 'off' ? DEFAULT_ARM_RATES.writes.perSecond : budget.writes.perSecond;
  const burst = budget === 'off' ? 0 : budget.writes.burst;
  const writesPerRun = requests.writes / (CONTAINERS * reps);
  const bound = writesPerSecond / writesPerRun;
  const vsBound = rate / bound;
  const vsOff = reuseOff.rate ? rate / reuseOff.rate : Number.NaN;
  const allOk = failures.length === 0 && reuseOff.failures.length === 0;
  return [
    {
      name: 'concurrent_runs_per_s',
      value: failures.length ? null : round(rate, 1),
      unit: 'runs/s',
      samples: reps,
      comparison: { label: 'job reuse off', value: reuseOff.failures.length ? null : round(reuseOff.rate, 1), unit: 'runs/s' },
      target: {
        text: 'all succeed; >= 0.8 of the budget bound; >= 2.5x reuse off',
        met: allOk && budget !== 'off' && vsBound >= 0.8 && vsOff >= 2.5,
      },
      note: failures.length || reuseOff.failures.length
        ? `${failures.length} of ${CONTAINERS * reps} runs failed (reuse off: ${reuseOff.failures.length}): ${[...new Set([...failures, ...reuseOff.failures])].slice(0, 3).join('; ')}`
        : `${CONTAINERS === 200 ? '' : `--quick: ${CONTAINERS} containers, not 200; `}ARM budget ${budget === 'off' ? 'OFF' : `${writesPerSecond} writes/s (burst ${burst})`}; ` +
          `bound ${round(bound, 1)} runs/s (${writesPerSecond} writes/s / ${round(writesPerRun, 2)} writes per run), ${round(vsBound, 2)}x of it; ` +
          `${round(vsOff, 2)}x reuse off (${round(reuseOff.writesPerRun, 2)} writes per run, bound ${round(writesPerSecond / reuseOff.writesPerRun, 1)} runs/s); ` +
          `spawn ${round(spawnRate, 1)} runs/s; ${CONTAINERS} at once, client concurrency ${CONCURRENCY}; p95 ${round(median(p95s), 0)} ms (reuse off ${round(reuseOff.p95, 0)} ms); daemon RSS +${round(rssGrowth / 1024, 0)} MB over ${CONTAINERS * reps} removed containers`,
      detail: {
        rssGrowthKb: rssGrowth, simulatorRequestsPerRun: perRunOps, ratesPerS: rates.map((r) => round(r, 2)), p95Ms: p95s.map((p) => round(p, 1)), spawnRatesPerS: spawnRates.map((r) => round(r, 2)),
        boundRunsPerS: round(bound, 2), writesPerRun: round(writesPerRun, 2), reuseOff: { ratePerS: round(reuseOff.rate, 2), writesPerRun: round(reuseOff.writesPerRun, 2), p95Ms: round(reuseOff.p95, 1) },
      },
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

/** The same runs on a second daemon with job reuse off (each run its own job: PUT, start, delete). */
async function reuseOffRate(ctx: BenchContext, items: number[]): Promise<{ rate: number; p95: number; writesPerRun: number; failures: string[] }> {
  ctx.log('  the same runs with job reuse off (a second daemon)');
  const daemon = await startDaemonProcess({ env: { SOCKERLESS_JOB_REUSE: 'off' } });
  try {
    const docker = new Docker({ host: daemon.host, port: daemon.port });
    await new Promise<void>((resolve, reject) =>
      docker.pull(IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))),
    );
    const failures: string[] = [];
    const before = await daemon.simulatorStats();
    const started = performance.now();
    const latencies = await pool(items, CONCURRENCY, async () => {
      try {
        const run = await dockerRunRm(docker, IMAGE, ['true']);
        if (run.statusCode !== 0) failures.push(`exit ${run.statusCode}`);
        return run.ms;
      } catch (err) {
        failures.push((err as Error).message);
        return Number.NaN;
      }
    });
    const rate = (items.length * 1000) / (performance.now() - started);
    const writes = statsDelta(before, await daemon.simulatorStats()).writes;
    ctx.log(`  reuse off: ${round(rate, 1)} runs/s, ${round(writes / items.length, 2)} writes per run`);
    return { rate, p95: percentile(latencies.filter(Number.isFinite), 95), writesPerRun: writes / items.length, failures };
  } finally {
    await daemon.stop();
  }
}
