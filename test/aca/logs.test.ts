import { LogsQueryResultStatus } from '@azure/monitor-query';
import type { LogsQueryClient } from '@azure/monitor-query';
import { describe, expect, it } from 'vitest';
import { queryJobLogs, tableToRows } from '../../src/aca/logs';

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
