import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { answerError, statusOf, statusOfOutcome } from '../../src/api/errors';
import { conflict, DockerError, ERROR_KINDS, invalidParameter, notFound, notImplemented, system, type ErrorKind } from '../../src/errdefs';

/** A bare app whose one route throws `err`, answered by the daemon's error handler, with its log calls. */
function appThrowing(err: unknown) {
  const logged: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    error: (obj: Record<string, unknown>, msg: string) => void logged.push({ level: 'error', obj, msg }),
    warn: (obj: Record<string, unknown>, msg: string) => void logged.push({ level: 'warn', obj, msg }),
  };
  const app = new Hono().get('/x', () => {
    throw err;
  });
  app.onError(answerError(logger as never));
  return { app, logged };
}

describe('error kinds', () => {
  it("map to moby's statuses (httpstatus.FromError), one status per kind", () => {
    const expected: Record<ErrorKind, number> = {
      invalidParameter: 400,
      unauthorized: 401,
      forbidden: 403,
      notFound: 404,
      conflict: 409,
      tooLarge: 413,
      system: 500,
      notImplemented: 501,
      unavailable: 503,
      notModified: 304,
    };
    for (const kind of ERROR_KINDS) expect([kind, statusOf(kind)]).toEqual([kind, expected[kind]]);
    expect(new Set(ERROR_KINDS.map(statusOf)).size).toBe(ERROR_KINDS.length);
  });

  it("the chart's outcomes: its successes as 200/201/204, its refusals as their kind's status", () => {
    expect(['ok', 'created', 'noContent', 'notModified', 'conflict', 'notImplemented', 'invalidParameter', 'system'].map((o) => statusOfOutcome(o as never))).toEqual([
      200, 201, 204, 304, 409, 501, 400, 500,
    ]);
  });

  it("render as Docker's error JSON with the kind's status", async () => {
    for (const [err, status] of [
      [invalidParameter('bad thing'), 400],
      [notFound('No such container: x'), 404],
      [conflict('in use'), 409],
    ] as const) {
      const res = await appThrowing(err).app.request('/x');
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ message: err.message });
    }
  });

  it('a 4xx is not logged; a 5xx with a kind is logged once', async () => {
    const four = appThrowing(conflict('busy'));
    await four.app.request('/x');
    expect(four.logged).toEqual([]);

    const five = appThrowing(system('the agent answered something else'));
    const res = await five.app.request('/x');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'the agent answered something else' });
    expect(five.logged).toHaveLength(1);
    expect(five.logged[0]!.level).toBe('error');
    expect(five.logged[0]!.msg).toBe('request failed');
    expect(five.logged[0]!.obj).toMatchObject({ method: 'GET', path: '/x' });
    expect((five.logged[0]!.obj.err as DockerError).kind).toBe('system');
  });

  it('a 501 (what ACA cannot do) is logged once as a warning with its message', async () => {
    const { app, logged } = appThrowing(notImplemented('pause is not supported'));
    const res = await app.request('/x', { method: 'GET' });
    expect(res.status).toBe(501);
    expect(logged).toEqual([{ level: 'warn', obj: { method: 'GET', path: '/x', message: 'pause is not supported' }, msg: 'not implemented' }]);
  });

  it('an error without a kind is a logged 500 with its message', async () => {
    const { app, logged } = appThrowing(new TypeError('boom'));
    const res = await app.request('/x');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'boom' });
    expect(logged).toHaveLength(1);
  });

  it('notModified answers 304 without a body', async () => {
    const res = await appThrowing(new DockerError('notModified', '')).app.request('/x');
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });
});
