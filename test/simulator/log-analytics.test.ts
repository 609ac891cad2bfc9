import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jobName, logQuery, runJob, shellJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';

describe('Log Analytics query API', () => {
  let h: SimHarness;
  let job: string;
  let execution: string;
  beforeAll(async () => {
    h = await startHarness();
    job = jobName('logs');
    execution = await runJob(h, job, shellJob(h, 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2'));
    await h.recorder.ended(execution);
  });
  afterAll(() => h.close());

  it('answers the daemon query: every column, types, filters by replica prefix and time window', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const query = [
      'ContainerAppConsoleLogs_CL',
      `| where ContainerJobName_s == "${job}"`,
      `| where ContainerGroupName_s startswith "${execution}"`,
      `| where TimeGenerated >= datetime(${since}) and TimeGenerated <= datetime(${until})`,
      '| project TimeGenerated, Stream_s, Log_s',
      '| order by TimeGenerated asc',
      '| take 100',
    ].join('\n');
    const result = await h.logs.queryWorkspace(h.sim.workspaceId, query, { duration: 'PT1H' });
    expect(result.status).toBe('Success');
    if (result.status !== 'Success') return;
    const table = result.tables[0]!;
    expect(table.columnDescriptors).toEqual([
      { name: 'TimeGenerated', type: 'datetime' },
      { name: 'Stream_s', type: 'string' },
      { name: 'Log_s', type: 'string' },
    ]);
    expect(table.rows.map((r) => r[2])).toEqual(['line1', 'line2', 'line3', 'line4', 'line5', 'oops']);
    expect(table.rows[5]![1]).toBe('stderr');
    expect(table.rows[0]![0]).toBeInstanceOf(Date);
    const times = table.rows.map((r) => (r[0] as Date).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('serves all columns without project, with the job, replica, container and environment', async () => {
    const result = await h.logs.queryWorkspace(h.sim.workspaceId, `ContainerAppConsoleLogs_CL | where ContainerJobName_s == '${job}' | take 1`, { duration: 'PT1H' });
    if (result.status !== 'Success') throw new Error('query failed');
    const table = result.tables[0]!;
    const row = Object.fromEntries(table.columnDescriptors.map((c, i) => [c.name, table.rows[0]![i]]));
    expect(row.ContainerJobName_s).toBe(job);
    expect(row.ContainerGroupName_s).toMatch(new RegExp(`^${execution}-[a-z0-9]{5}$`));
    expect(row.ContainerName_s).toBe('main');
    expect(row.Stream_s).toBe('stdout');
    expect(row.Log_s).toBe('line1');
    expect(row.EnvironmentName_s).toBe(h.sim.environment);
  });

  it('takes the newest rows with order by desc | take', async () => {
    const query = `${logQuery(job).replace('| order by TimeGenerated asc', '')}| order by TimeGenerated desc | take 2`;
    const result = await h.logs.queryWorkspace(h.sim.workspaceId, query, { duration: 'PT1H' });
    if (result.status !== 'Success') throw new Error('query failed');
    expect(result.tables[0]!.rows.map((r) => r[2])).toEqual(['oops', 'line5']);
  });

  it('applies the body timespan', async () => {
    const past = { startTime: new Date('2020-01-01T00:00:00Z'), endTime: new Date('2020-01-02T00:00:00Z') };
    const result = await h.logs.queryWorkspace(h.sim.workspaceId, logQuery(job), past);
    if (result.status !== 'Success') throw new Error('query failed');
    expect(result.tables[0]!.rows).toEqual([]);
  });

  it('surfaces KQL outside the subset as a 400 BadArgumentError through the SDK', async () => {
    const err = (await h.logs
      .queryWorkspace(h.sim.workspaceId, 'ContainerAppConsoleLogs_CL | summarize count() by Stream_s', { duration: 'PT1H' })
      .catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('BadArgumentError');
  });

  it('answers 404 for an unknown workspace', async () => {
    const err = (await h.logs.queryWorkspace('99999999-9999-9999-9999-999999999999', logQuery(job), { duration: 'PT1H' }).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('WorkspaceNotFoundError');
  });
});

describe('ingestion delay', () => {
  it('rows become queryable only after ingestionDelayMs, announced by a change event', async () => {
    const h = await startHarness({ ingestionDelayMs: 300 });
    try {
      const job = jobName('ingest');
      const execution = await runJob(h, job, shellJob(h, 'echo late'));
      await h.recorder.ended(execution);
      const early = await h.logs.queryWorkspace(h.sim.workspaceId, logQuery(job), { duration: 'PT1H' });
      if (early.status !== 'Success') throw new Error('query failed');
      expect(early.tables[0]!.rows).toEqual([]);

      await h.recorder.waitFor((c) => c.kind === 'logs');
      const late = await h.logs.queryWorkspace(h.sim.workspaceId, logQuery(job), { duration: 'PT1H' });
      if (late.status !== 'Success') throw new Error('query failed');
      expect(late.tables[0]!.rows.map((r) => r[2])).toEqual(['late']);
    } finally {
      await h.close();
    }
  });
});
