// Console logs as Azure delivers them, on the azure profile (time-scaled), through the real
// LogsQueryClient. Sources: Learn azure-monitor/logs/data-ingestion-time, bittrance/aztail
// src/testing.rs (ContainerAppConsoleLogs_CL's columns), the ContainerAppConsoleLogs reference
// table, aca#1018 (400 SEM0100 for a table or column not there yet), Learn
// azure-monitor/service-limits (query API limits).
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isUnknownTable, waitForLoggedRow } from './azure-helpers';
import { jobName, rawRequest, runJob, shellJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';

const SCALE = 0.01;

async function query(h: SimHarness, kql: string) {
  const result = await h.logs.queryWorkspace(h.sim.workspaceId, kql, { duration: 'PT1H' });
  if (result.status !== 'Success') throw new Error(`query status ${result.status}`);
  const table = result.tables[0]!;
  return table.rows.map((row) => Object.fromEntries(table.columnDescriptors.map((c, i) => [c.name!, row[i]])));
}

describe('azure profile, log-analytics destination: ContainerAppConsoleLogs_CL', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: SCALE, seed: 3 });
  });
  afterAll(() => h.close());

  it('a table that never received a row answers 400 BadArgumentError / SEM0100, like an unknown table', async () => {
    const err = (await h.logs.queryWorkspace(h.sim.workspaceId, 'ContainerAppConsoleLogs_CL | take 1', { duration: 'PT1H' }).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('BadArgumentError');
    expect(isUnknownTable(err)).toBe(true);
  });

  it('rows arrive after an ingestion delay, in batches sharing TimeGenerated (ties); _timestamp_d and time_t keep the emit order', async () => {
    const name = jobName('batch');
    const execution = await runJob(h, name, shellJob(h, 'for i in 1 2 3 4 5 6; do echo line$i; done; echo oops >&2'));
    expect(await h.recorder.ended(execution, 20_000)).toBe('Succeeded');
    await waitForLoggedRow(h, name, ['stderr', 'oops']);
    await waitForLoggedRow(h, name, ['stdout', 'line6']);
    const rows = await query(h, `ContainerAppConsoleLogs_CL | where ContainerJobName_s == '${name}' and Stream_s == 'stdout' | order by _timestamp_d asc`);
    expect(rows.map((r) => r.Log_s)).toEqual(['line1', 'line2', 'line3', 'line4', 'line5', 'line6']);
    const stamps = rows.map((r) => r._timestamp_d as number);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(Math.abs((rows[0]!.time_t as Date).getTime() - stamps[0]! * 1000)).toBeLessThan(1);
    // Lines emitted together travel in one batch: one TimeGenerated, later than their emit time.
    expect(new Set(rows.map((r) => (r.TimeGenerated as Date).getTime())).size).toBeLessThan(rows.length);
    expect((rows[0]!.TimeGenerated as Date).getTime()).toBeGreaterThan(stamps[0]! * 1000);
    expect(rows[0]).toMatchObject({
      ContainerName_s: 'main', EnvironmentName_s: h.sim.environment, Type: 'ContainerAppConsoleLogs_CL', logtag_s: 'F', SourceSystem: 'RestAPI', _ResourceId: '',
    });
    expect(rows[0]!.ContainerGroupName_s).toMatch(new RegExp(`^${execution}-`));
  });

  it('later lines can become queryable before earlier ones (each batch its own delay)', async () => {
    const name = jobName('order');
    // Lines 30 ms apart: each its own batch (logBatchMs is 10 ms at this scale).
    const execution = await runJob(h, name, shellJob(h, 'for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16; do echo $i; sleep 0.03; done'));
    let overtaken = false;
    const deadline = Date.now() + 30_000;
    let seen: string[] = [];
    while (seen.length < 16 && Date.now() < deadline) {
      seen = (await query(h, `ContainerAppConsoleLogs_CL | where ContainerJobName_s == '${name}' | project Log_s`)).map((r) => r.Log_s as string);
      const numbers = seen.map(Number);
      // Some line is there while one emitted before it is not.
      if (numbers.some((n) => n > 1 && Array.from({ length: n - 1 }, (_, i) => i + 1).some((m) => !numbers.includes(m)))) overtaken = true;
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(await h.recorder.ended(execution, 20_000)).toBe('Succeeded');
    expect(seen.length).toBe(16);
    expect(overtaken).toBe(true);
  });

  it('an unknown column is a 400 SEM0100 too', async () => {
    const err = (await h.logs.queryWorkspace(h.sim.workspaceId, 'ContainerAppConsoleLogs_CL | where Log == "x"', { duration: 'PT1H' }).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(isUnknownTable(err)).toBe(true);
  });

  it('the managed environment says where logs go, readable through the SDK', async () => {
    const env = await h.arm.managedEnvironments.get(h.rg, h.sim.environment);
    expect(env.appLogsConfiguration).toEqual({ destination: 'log-analytics', logAnalyticsConfiguration: { customerId: h.sim.workspaceId } });
    expect(env.workloadProfiles).toEqual([{ name: 'Consumption', workloadProfileType: 'Consumption' }]);
  });
});

describe('azure profile, azure-monitor destination: ContainerAppConsoleLogs', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: SCALE, logDestination: 'azure-monitor', environmentType: 'consumption' });
  });
  afterAll(() => h.close());

  it('lines land in ContainerAppConsoleLogs with its own columns (no _s suffixes, no emit time); the _CL table does not exist', async () => {
    const name = jobName('mon');
    const execution = await runJob(h, name, shellJob(h, 'echo hello'));
    expect(await h.recorder.ended(execution, 20_000)).toBe('Succeeded');
    let rows: Record<string, unknown>[] = [];
    const deadline = Date.now() + 30_000;
    while (rows.length === 0 && Date.now() < deadline) {
      rows = await query(h, `ContainerAppConsoleLogs | where JobName == '${name}'`).catch((e: unknown) => {
        if (isUnknownTable(e)) return [];
        throw e;
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Log: 'hello', Stream: 'stdout', ContainerName: 'main', JobName: name, Type: 'ContainerAppConsoleLogs' });
    expect(Object.keys(rows[0]!)).not.toContain('_timestamp_d');
    const err = (await h.logs.queryWorkspace(h.sim.workspaceId, 'ContainerAppConsoleLogs_CL | take 1', { duration: 'PT1H' }).catch((e: unknown) => e)) as RestError;
    expect(isUnknownTable(err)).toBe(true);
  });

  it('a Consumption-only environment has no workload profiles; the destination reads azure-monitor', async () => {
    const env = await h.arm.managedEnvironments.get(h.rg, h.sim.environment);
    expect(env.appLogsConfiguration).toEqual({ destination: 'azure-monitor' });
    expect(env.workloadProfiles).toBeUndefined();
    const listed: string[] = [];
    for await (const e of h.arm.managedEnvironments.listByResourceGroup(h.rg)) listed.push(e.name!);
    expect(listed).toEqual([h.sim.environment]);
  });
});

describe('azure profile, none destination', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({
      profile: 'azure', timeScale: SCALE, logDestination: 'none',
      workloadProfiles: [
        { name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 },
        { name: 'd4', workloadProfileType: 'D4', cores: 4, memoryGi: 16 },
      ],
    });
  });
  afterAll(() => h.close());

  it('logs go nowhere: neither table exists after a job wrote lines', async () => {
    const name = jobName('none');
    const execution = await runJob(h, name, shellJob(h, 'echo lost'));
    expect(await h.recorder.ended(execution, 20_000)).toBe('Succeeded');
    await new Promise((r) => setTimeout(r, 200_000 * SCALE * 2));
    for (const table of ['ContainerAppConsoleLogs_CL', 'ContainerAppConsoleLogs']) {
      const err = await h.logs.queryWorkspace(h.sim.workspaceId, `${table} | take 1`, { duration: 'PT1H' }).catch((e: unknown) => e);
      expect(isUnknownTable(err), table).toBe(true);
    }
    const env = await h.arm.managedEnvironments.get(h.rg, h.sim.environment);
    expect(env.appLogsConfiguration).toEqual({ destination: 'none' });
    expect(env.workloadProfiles?.map((p) => p.workloadProfileType)).toEqual(['Consumption', 'D4']);
  });
});

describe('azure profile: the query API’s limits', () => {
  let h: SimHarness;
  let auth: Record<string, string>;
  const body = JSON.stringify({ query: 'ContainerAppConsoleLogs_CL | take 1' });
  beforeAll(async () => {
    // Small limits to reach them quickly; the defaults are 200 per 30 s, 5 at once, 200 queued.
    h = await startHarness({ profile: 'azure', timeScale: SCALE, figures: { queryRate: 4, queryConcurrency: 1, queryQueue: 1, queryMs: 50_000 } });
    const token = await h.credential.getToken('https://api.loganalytics.io/.default');
    auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
  });
  afterAll(() => h.close());

  const post = () => rawRequest(h.sim, 'POST', `/v1/workspaces/${h.sim.workspaceId}/query`, auth, body);

  it('more queries at once than run plus queue get 429; more than the rate per window too, with Retry-After', async () => {
    // One runs (queryMs 500 ms at this scale), one waits, the third is refused.
    const answers = await Promise.all([post(), post(), post()]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([400, 400, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(JSON.parse(refused.body).error.code).toBe('ThrottledError');
    expect(refused.headers['retry-after']).toBeDefined();
    // Four admitted in the 30 s window (the refused one was admitted by the rate, then refused by the queue): the fifth is over the rate.
    expect((await post()).status).toBe(400);
    const over = await post();
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });
});
