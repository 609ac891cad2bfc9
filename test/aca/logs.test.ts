import { LogsQueryResultStatus } from '@azure/monitor-query';
import type { LogsQueryClient } from '@azure/monitor-query';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcaCloud } from '../../src/aca/aca-cloud';
import { createLogsClient } from '../../src/aca/clients';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { QueryBudget } from '../../src/aca/log-budget';
import { LogReader, queryJobLogs, tableToRows } from '../../src/aca/logs';
import { startSimulator, type Simulator } from '../../src/simulator/index';

describe('tableToRows', () => {
  it('maps columns by name, converts dates to ISO and defaults the stream to stdout', () => {
    const rows = tableToRows({
      name: 'PrimaryResult',
      columnDescriptors: [
        { name: 'Log_s', type: 'string' },
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'Stream_s', type: 'string' },
      ],
      rows: [
        ['hello', new Date('2024-05-01T10:00:00.123Z'), 'stdout'],
        ['oops', '2024-05-01T10:00:01Z', 'stderr'],
        ['odd', new Date('2024-05-01T10:00:02Z'), 'something'],
      ],
    });
    expect(rows).toEqual([
      { time: '2024-05-01T10:00:00.123Z', stream: 'stdout', line: 'hello' },
      { time: '2024-05-01T10:00:01.000Z', stream: 'stderr', line: 'oops' },
      { time: '2024-05-01T10:00:02.000Z', stream: 'stdout', line: 'odd' },
    ]);
  });
});

describe('queryJobLogs', () => {
  const columnDescriptors = [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'Stream_s', type: 'string' },
    { name: 'Log_s', type: 'string' },
  ];
  const stub = (result: unknown, calls: unknown[][] = []) =>
    ({ queryWorkspace: async (...args: unknown[]) => (calls.push(args), result) }) as unknown as LogsQueryClient;

  it('refuses without a workspace', async () => {
    await expect(queryJobLogs(stub({}), undefined, { jobName: 'j' })).rejects.toThrow(
      'logs need SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE',
    );
  });

  it('throws the partial error of a partial failure', async () => {
    const result = {
      status: LogsQueryResultStatus.PartialFailure,
      partialTables: [],
      partialError: { name: 'Error', code: 'PartialError', message: 'too many rows.  LimitsExceeded' },
    };
    await expect(queryJobLogs(stub(result), 'ws', { jobName: 'j' })).rejects.toThrow(/too many rows/);
  });

  it('reverses tail rows to oldest first and bounds the timespan by since and until', async () => {
    const calls: unknown[][] = [];
    const result = {
      status: LogsQueryResultStatus.Success,
      tables: [{ name: 'PrimaryResult', columnDescriptors, rows: [
        [new Date('2024-05-01T10:00:02Z'), 'stdout', 'b'],
        [new Date('2024-05-01T10:00:01Z'), 'stdout', 'a'],
      ] }],
    };
    const since = new Date('2024-05-01T00:00:00Z');
    const until = new Date('2024-05-02T00:00:00Z');
    const rows = await queryJobLogs(stub(result, calls), 'ws', { jobName: 'j', tail: 2, since, until });
    expect(rows.map((r) => r.line)).toEqual(['a', 'b']);
    expect(calls[0]?.[0]).toBe('ws');
    expect(calls[0]?.[1]).toMatch(/take 2$/);
    expect(calls[0]?.[2]).toEqual({ startTime: since, endTime: until });
  });
});

describe('LogReader on the embedded simulator (real Logs client over the wire)', () => {
  let sim: Simulator;
  let config: ReturnType<typeof acaConfigForSimulator>;
  let jobName: string;

  beforeAll(async () => {
    sim = await startSimulator({ latency: 'instant' });
    config = acaConfigForSimulator(sim);
    const cloud = createAcaCloud(config, sim);
    const id = randomBytes(32).toString('hex');
    jobName = `sockerless-${id.slice(0, 12)}`;
    const execution = await cloud.runJob({
      jobName, containerId: id, image: 'alpine', command: ['sh', '-c'], args: ['echo one; echo two >&2'],
      env: [], cpu: 0.5, memory: '1Gi', replicaTimeout: 60,
    });
    await cloud.waitForEnd(execution, AbortSignal.timeout(30_000));
    for (let i = 0; i < 100 && (await cloud.queryLogs({ jobName })).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('answers "no lines yet" for a table that does not exist (yet), instead of failing', async () => {
    // The simulator has only the _CL table: an azure-monitor environment's table is missing, as a _CL one is before its first row.
    const reader = new LogReader(createLogsClient(config), { workspaceId: config.workspaceId, destination: 'azure-monitor' });
    expect(await reader.query({ jobName })).toEqual([]);
  });

  it('orders by TimeGenerated when the table has no emit-time column yet, and reads both streams of the main container', async () => {
    const reader = new LogReader(createLogsClient(config), { workspaceId: config.workspaceId, destination: 'log-analytics' });
    const rows = await reader.query({ jobName });
    expect(rows.map((r) => [r.stream, r.line])).toEqual([['stdout', 'one'], ['stderr', 'two']]);
  });

  it('refuses clearly for an environment that keeps no logs', async () => {
    const reader = new LogReader(createLogsClient(config), { workspaceId: config.workspaceId, destination: 'none' });
    await expect(reader.query({ jobName })).rejects.toThrow(/log destination is none/);
  });
});

describe('LogReader', () => {
  const semanticError = (name: string) =>
    Object.assign(new Error('The request had some invalid properties'), {
      name: 'RestError', statusCode: 400, code: 'BadArgumentError',
      details: { error: { innererror: { code: 'SemanticError', message: `'where' operator: Failed to resolve scalar expression named '${name}'` } } },
    });

  it('drops the emit-time column when Azure says it does not exist yet, and asks again without it', async () => {
    const queries: string[] = [];
    const client = {
      async queryWorkspace(_ws: string, query: string) {
        queries.push(query);
        if (query.includes('_timestamp_d')) throw semanticError('_timestamp_d');
        return { status: LogsQueryResultStatus.Success, tables: [{ name: 'PrimaryResult', columnDescriptors: [{ name: 'TimeGenerated' }, { name: 'Stream_s' }, { name: 'Log_s' }], rows: [[new Date(0), 'stdout', 'x']] }] };
      },
    } as unknown as LogsQueryClient;
    const reader = new LogReader(client, { workspaceId: 'ws' });
    expect((await reader.query({ jobName: 'j' })).map((r) => r.line)).toEqual(['x']);
    await reader.query({ jobName: 'j' });
    expect(queries.map((q) => q.includes('_timestamp_d'))).toEqual([true, false, false]);
  });

  it('orders rows by the time each line was emitted, not when Azure received it', async () => {
    const client = {
      async queryWorkspace() {
        return {
          status: LogsQueryResultStatus.Success,
          tables: [{
            name: 'PrimaryResult',
            columnDescriptors: [{ name: 'TimeGenerated' }, { name: '_timestamp_d' }, { name: 'Stream_s' }, { name: 'Log_s' }],
            // Received in one batch (same TimeGenerated), emitted in another order.
            rows: [
              [new Date('2026-01-01T00:00:05Z'), 1767225602.5, 'stdout', 'second'],
              [new Date('2026-01-01T00:00:05Z'), 1767225601.25, 'stdout', 'first'],
              [new Date('2026-01-01T00:00:05Z'), 1767225603, 'stderr', 'third'],
            ],
          }],
        };
      },
    } as unknown as LogsQueryClient;
    const rows = await new LogReader(client, { workspaceId: 'ws' }).query({ jobName: 'j' });
    expect(rows).toEqual([
      { time: '2026-01-01T00:00:01.250Z', ingested: '2026-01-01T00:00:05.000Z', stream: 'stdout', line: 'first' },
      { time: '2026-01-01T00:00:02.500Z', ingested: '2026-01-01T00:00:05.000Z', stream: 'stdout', line: 'second' },
      { time: '2026-01-01T00:00:03.000Z', ingested: '2026-01-01T00:00:05.000Z', stream: 'stderr', line: 'third' },
    ]);
  });

  it('keeps every query of the daemon within the budget: at most N at once, and identical ones asked once', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const client = {
      async queryWorkspace(_ws: string, query: string) {
        calls++;
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return { status: LogsQueryResultStatus.Success, tables: [{ name: 'PrimaryResult', columnDescriptors: [{ name: 'TimeGenerated' }, { name: 'Stream_s' }, { name: 'Log_s' }], rows: [[new Date(0), 'stdout', query.length.toString()]] }] };
      },
    } as unknown as LogsQueryClient;
    const reader = new LogReader(client, { workspaceId: 'ws', budget: new QueryBudget({ concurrent: 2, perWindow: 1000, windowMs: 1000 }) });
    // Twelve followers of twelve containers, plus a second follower of the first container.
    await Promise.all([...Array.from({ length: 12 }, (_, i) => reader.query({ jobName: `job-${i}` })), reader.query({ jobName: 'job-0' })]);
    expect(most).toBe(2);
    expect(calls).toBe(12);
    expect(reader.budget.waited).toBeGreaterThan(0);
  });
});

describe('QueryBudget', () => {
  it('holds queries past the window allowance until the window has room, instead of sending them to be refused', async () => {
    const budget = new QueryBudget({ concurrent: 5, perWindow: 3, windowMs: 300 });
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => budget.run(async () => void started.push(Date.now() - t0))));
    expect(started).toHaveLength(5);
    // Three in the first window; the fourth and fifth wait until the first starts leave it.
    expect(started.slice(3).every((ms) => ms >= 290)).toBe(true);
    expect(budget.waited).toBe(2);
  });

  it('gives up a wait when its signal aborts', async () => {
    const budget = new QueryBudget({ concurrent: 1, perWindow: 100, windowMs: 1000 });
    let release!: () => void;
    const first = budget.run(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const second = budget.run(async () => 'ran', controller.signal);
    controller.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    release();
    await first;
  });
});
