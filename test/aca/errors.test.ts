import { describe, expect, it } from 'vitest';
import { classifyCloudFailure, CloudError, isNotFound, isRetryable, toCloudError } from '../../src/aca/errors';

describe('classifyCloudFailure', () => {
  it.each([
    [404, 'not-found'],
    [409, 'conflict'],
    [429, 'throttled'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [501, 'fatal'],
    [505, 'fatal'],
    [400, 'fatal'],
    [401, 'fatal'],
    [403, 'fatal'],
  ] as const)('status %i is %s', (status, kind) => {
    expect(classifyCloudFailure(status)).toBe(kind);
  });

  it('treats network errors without a status as transient, anything else as fatal', () => {
    expect(classifyCloudFailure(undefined, 'ECONNRESET')).toBe('transient');
    expect(classifyCloudFailure(undefined, 'ECONNREFUSED')).toBe('transient');
    expect(classifyCloudFailure(undefined, 'DEPTH_ZERO_SELF_SIGNED_CERT')).toBe('fatal');
    expect(classifyCloudFailure()).toBe('fatal');
  });
});

function restError(message: string, statusCode: number, code: string): Error {
  return Object.assign(new Error(message), { name: 'RestError', statusCode, code });
}

describe('toCloudError', () => {
  it('names the operation and job and keeps status and code', () => {
    const cause = restError('The job was not found.', 404, 'ResourceNotFound');
    const err = toCloudError(cause, 'delete job', 'sockerless-abc') as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect(err.message).toBe('delete job sockerless-abc failed: The job was not found.');
    expect(err).toMatchObject({
      operation: 'delete job',
      target: 'sockerless-abc',
      statusCode: 404,
      code: 'ResourceNotFound',
      kind: 'not-found',
    });
    expect(err.cause).toBe(cause);
    expect(isNotFound(err)).toBe(true);
  });

  it('classifies a failed LRO (plain Error, no status) as transient: ARM accepted it, another try may work', () => {
    const err = toCloudError(new Error('The long-running operation has failed. JobFailed. boom'), 'start job', 'j');
    expect(err).toMatchObject({ kind: 'transient', statusCode: undefined });
    expect(toCloudError(new Error('something else'), 'start job', 'j')).toMatchObject({ kind: 'fatal' });
  });

  it.each([
    ['ContainerAppInvalidEnvVarName', "Env variable name 'a.b' contains invalid character"],
    ['InvalidTemplate', 'Deployment template validation failed'],
    ['ContainerAppInvalidResourceTotal', 'The total requested CPU and memory resources for this application (CPU: 4, memory: 8) is invalid.'],
    ['ImagePullFailure', 'unable to pull image using Managed identity system for registry x.azurecr.io'],
    ['ManagedEnvironmentCoresExceeded', 'Maximum Allowed Cores exceeded for the Managed Environment.'],
    // The generic code with a provisioning failure's message (Azure-Samples/call-center-voice-agent-accelerator#3).
    ['ContainerAppOperationError', "Failed to provision revision for container app 'ca'. Error details: The following field(s) are either invalid or missing. Field 'template.containers.main.image' is invalid with details: 'Invalid value: \"r.azurecr.io/a:latest\": GET https:: MANIFEST_UNKNOWN: manifest tagged by \"latest\" is not found; map[Tag:latest]';.."],
    ['ContainerAppOperationError', "Failed to provision job 'j'. Error details: Field 'template.containers.main.image' is invalid with details: 'Invalid value: \"r.example/a:1\": GET https:?scope=repository%3Aa%3Apull&service=r.example: UNAUTHORIZED: authentication required';."],
  ])('classifies a failed LRO Azure reports as %s as permanent, keeping its message', (code, message) => {
    const err = toCloudError(new Error(`The long-running operation has failed. ${code}. ${message}`), 'create job', 'j') as CloudError;
    expect(err.kind).toBe('fatal');
    expect(isRetryable(err)).toBe(false);
    expect(err.message).toContain(message);
  });

  it('keeps a failed LRO with a generic or server-side code transient', () => {
    for (const code of ['ContainerAppOperationError', 'InternalServerError', 'ServiceUnavailable']) {
      expect(toCloudError(new Error(`The long-running operation has failed. ${code}. try later`), 'start job', 'j')).toMatchObject({ kind: 'transient' });
    }
  });

  it('passes aborts and existing CloudErrors through untouched', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toCloudError(abort, 'x', 'y')).toBe(abort);
    const cloud = new CloudError('a', 'b', 'c', 409);
    expect(toCloudError(cloud, 'x', 'y')).toBe(cloud);
    expect(cloud.kind).toBe('conflict');
  });

  it('recognises a raw 404 RestError as not found', () => {
    expect(isNotFound(restError('gone', 404, 'NotFound'))).toBe(true);
    expect(isNotFound(restError('busy', 409, 'Conflict'))).toBe(false);
    expect(isNotFound(new Error('x'))).toBe(false);
  });
});

describe('isRetryable', () => {
  it('is true for throttling and transient failures only', () => {
    expect(isRetryable(new CloudError('get execution of', 'j/e', 'slow down', 429))).toBe(true);
    expect(isRetryable(new CloudError('get execution of', 'j/e', 'bad gateway', 502))).toBe(true);
    expect(isRetryable(new CloudError('get execution of', 'j/e', 'reset', undefined, 'ECONNRESET'))).toBe(true);
    expect(isRetryable(new CloudError('get execution of', 'j/e', 'denied', 403))).toBe(false);
    expect(isRetryable(restError('raw', 503, 'ServiceUnavailable'))).toBe(false);
  });
});
