import type { JobExecution } from '@azure/arm-appcontainers';
import { describe, expect, it } from 'vitest';
import { containerEnd, executionEnd, vanishedEnd } from '../../src/aca/execution-end';

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

  it('finds the main container by name, never taking an init container listed first for it', () => {
    const execution: JobExecution = {
      status: 'Failed',
      detailedStatus: {
        replicas: [{
          name: 'r',
          containers: [
            { name: 'sockerless-agent', code: 0, status: 'Terminated' },
            { name: 'main', code: 42, status: 'Terminated', additionalInformation: 'Error' },
          ],
        }],
      },
    };
    expect(executionEnd(execution)).toMatchObject({ status: 'Failed', exitCode: 42, message: 'Error' });
    // Only the init container has reported: no exit code is better than its 0.
    expect(executionEnd({ status: 'Failed', detailedStatus: { replicas: [{ containers: [{ name: 'sockerless-agent', code: 0 }] }] } })).toEqual({ status: 'Failed' });
  });

  it('reads the end from the container view while the execution status still says Running', () => {
    const lagging = (code: number, status: string): JobExecution => ({
      status: 'Running',
      detailedStatus: { replicas: [{ containers: [{ name: 'main', code, status }] }] },
    });
    expect(containerEnd(lagging(3, 'Terminated'))).toMatchObject({ status: 'Failed', exitCode: 3 });
    expect(containerEnd(lagging(0, 'Terminated'))).toMatchObject({ status: 'Succeeded', exitCode: 0 });
    expect(containerEnd(lagging(0, 'Running'))).toBeUndefined();
    expect(containerEnd({ status: 'Running' })).toBeUndefined();
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
