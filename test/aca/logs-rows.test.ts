import type { JobExecution } from '@azure/arm-appcontainers';
import { describe, expect, it } from 'vitest';
import { executionEnd, vanishedEnd } from '../../src/aca/execution-end';
import { tableToRows } from '../../src/aca/logs';

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

describe('executionEnd', () => {
  it('takes the exit code of the main container', () => {
    const execution: JobExecution = {
      name: 'job1-abc',
      status: 'Failed',
      endTime: new Date('2024-05-01T10:05:00Z'),
      reason: 'Error',
      message: 'exited',
      detailedStatus: {
        replicas: [{ name: 'job1-abc-x1', containers: [{ name: 'main', code: 3, status: 'Terminated' }] }],
      },
    };
    expect(executionEnd(execution)).toEqual({
      status: 'Failed',
      exitCode: 3,
      reason: 'Error',
      message: 'exited',
      endTime: '2024-05-01T10:05:00.000Z',
    });
  });

  it('leaves the exit code out when ACA reports none', () => {
    expect(executionEnd({ status: 'Succeeded' })).toEqual({ status: 'Succeeded' });
  });

  it('calls a vanished execution failed and says so', () => {
    expect(vanishedEnd({ jobName: 'j', executionName: 'j-1' })).toMatchObject({
      status: 'Failed',
      message: expect.stringContaining('vanished'),
    });
  });
});
