import type { JobExecution } from '@azure/arm-appcontainers';
import { describe, expect, it } from 'vitest';
import { executionEnd, vanishedEnd } from '../../src/aca/execution-end';

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
