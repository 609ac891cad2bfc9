// Issue 15 row 5: the query API allows 200 queries per 30 s per user (and 5 at once, 200 queued).
// Many followers polling at once must not get 429s: every query of the daemon goes through one
// budgeted reader. The SDK's own retries are off here, so a 429 shows as an error.
import { LogsQueryClient } from '@azure/monitor-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { DEFAULT_QUERY_RATES, QueryBudget } from '../../src/aca/log-budget';
import { FIGURES } from '../../src/simulator/profile/figures';
import { LogReader } from '../../src/aca/logs';
import { startSimulator, type Simulator } from '../../src/simulator/index';

// The profile's limits scaled down (20 queries per 3 s instead of 200 per 30 s) so the test is short;
// the daemon's budget in the same proportion (and its default against Azure's own figures below).
const QUERIES = 30;
const RATES = { concurrent: 4, perWindow: 15, windowMs: 3_000 };

describe('the budgeted log reader against the azure profile query limits', () => {
  let sim: Simulator;
  let client: LogsQueryClient;
  beforeAll(async () => {
    sim = await startSimulator({ profile: 'azure', timeScale: 0.05, figures: { queryRate: 20, queryRateWindowMs: 3_000 } });
    const config = acaConfigForSimulator(sim);
    client = new LogsQueryClient(config.credential, { endpoint: config.logsEndpoint, tlsOptions: { ca: config.ca! }, retryOptions: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const burst = (reader: LogReader) =>
    Promise.allSettled(Array.from({ length: QUERIES }, (_, i) => reader.query({ jobName: `sockerless-follower${i}` })));

  it(`${QUERIES} followers' queries at once: without the budget some get 429; through it none do`, async () => {
    const unbudgeted = await burst(new LogReader(client, { workspaceId: sim.workspaceId, budget: new QueryBudget({ concurrent: 1000, perWindow: 10_000, windowMs: 30_000 }) }));
    const refused = unbudgeted.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/429|Throttled|Too Many/i);

    // A fresh rate window for the budgeted run.
    await new Promise((r) => setTimeout(r, 3_000));
    const reader = new LogReader(client, { workspaceId: sim.workspaceId, budget: new QueryBudget(RATES) });
    const budgeted = await burst(reader);
    expect(budgeted.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(reader.budget.waited).toBeGreaterThan(0);
  }, 120_000);

  it("the daemon's default budget stays under Azure's figures (5 at once, 200 per 30 s)", () => {
    expect(DEFAULT_QUERY_RATES.concurrent).toBeLessThan(FIGURES.queryConcurrency.value.max);
    expect(DEFAULT_QUERY_RATES.perWindow / DEFAULT_QUERY_RATES.windowMs).toBeLessThan(FIGURES.queryRate.value.max / FIGURES.queryRateWindowMs.value.max);
  });
});
