// The daemon-wide figures at the top of the /ui page: where the containers run, the ARM budget
// and its use, and the simulator's settings when the daemon runs on one.
import type { ArmBudget, ArmRates } from '../aca/arm-budget';

/** What the page reads of the embedded simulator; `profile` exists once the simulator has profiles. */
export interface SimulatorFacts {
  readonly url: string;
  readonly isolationDetail: string;
  readonly profile?: unknown;
  stats(): { reads: number; writes: number; byOperation: Record<string, number> };
  faultCounts(): { injected: Record<string, number>; throttled: number };
}

export interface OverviewSources {
  /** `embedded ACA simulator at …` or the Azure subscription and environment. */
  target: string;
  /** The daemon's ARM token buckets, or `off` when SOCKERLESS_ARM_BUDGET=off. */
  arm: { rates: ArmRates; budget: ArmBudget } | 'off';
  simulator?: SimulatorFacts;
}

export interface BucketUse {
  perSecond: number;
  burst: number;
  /** Requests waiting for a token now. */
  waiting: number;
  /** Requests per second over the last window (the simulator's count), when counted. */
  rate: number | null;
}

export interface Overview {
  target: string;
  arm: {
    budget: 'on' | 'off';
    reads: BucketUse | null;
    writes: BucketUse | null;
    /** ARM requests the daemon sent since it started, as the simulator counted them (null on real Azure). */
    requests: { reads: number; writes: number; throttled: number } | null;
  };
  /** The simulator's settings as it exposes them (null on real Azure). */
  simulator: { url: string; isolation: string; profile: unknown; faultsInjected: number } | null;
}

/** The simulator counts Log Analytics queries as reads too; ARM's budget does not hold them. */
function armCounts(stats: ReturnType<SimulatorFacts['stats']>): { reads: number; writes: number } {
  const queries = Object.entries(stats.byOperation).reduce((n, [op, count]) => (op.startsWith('Query_') ? n + count : n), 0);
  return { reads: stats.reads - queries, writes: stats.writes };
}

/** The window the request rates are averaged over. */
const WINDOW_MS = 10_000;

/** Samples the sources; each `read()` also takes a sample for the request rates. */
export class OverviewReader {
  readonly #sources: OverviewSources;
  readonly #samples: { at: number; reads: number; writes: number }[] = [];

  constructor(sources: OverviewSources) {
    this.#sources = sources;
  }

  read(now = performance.now()): Overview {
    const { target, arm, simulator } = this.#sources;
    const counted = simulator && armCounts(simulator.stats());
    const faults = simulator?.faultCounts();
    let readRate: number | null = null;
    let writeRate: number | null = null;
    if (counted) {
      this.#samples.push({ at: now, reads: counted.reads, writes: counted.writes });
      while (this.#samples.length > 2 && now - this.#samples[1]!.at >= WINDOW_MS) this.#samples.shift();
      const first = this.#samples[0]!;
      const seconds = (now - first.at) / 1000;
      if (seconds > 0) {
        readRate = (counted.reads - first.reads) / seconds;
        writeRate = (counted.writes - first.writes) / seconds;
      }
    }
    const bucket = (rate: { perSecond: number; burst: number }, waiting: number, use: number | null): BucketUse =>
      ({ perSecond: rate.perSecond, burst: rate.burst, waiting, rate: use });
    return {
      target,
      arm: {
        budget: arm === 'off' ? 'off' : 'on',
        reads: arm === 'off' ? null : bucket(arm.rates.reads, arm.budget.reads.waiting, readRate),
        writes: arm === 'off' ? null : bucket(arm.rates.writes, arm.budget.writes.waiting, writeRate),
        requests: counted ? { reads: counted.reads, writes: counted.writes, throttled: faults?.throttled ?? 0 } : null,
      },
      simulator: simulator
        ? {
            url: simulator.url,
            isolation: simulator.isolationDetail,
            profile: simulator.profile ?? null,
            faultsInjected: Object.values(faults?.injected ?? {}).reduce((a, b) => a + b, 0),
          }
        : null,
    };
  }
}
