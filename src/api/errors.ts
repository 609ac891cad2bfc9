import type { Context, ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DockerError, type ErrorKind } from '../errdefs';
import type { ReplyOutcome } from '../../machines/container';
import type { Logger } from '../log';

/** moby's `httpstatus.FromError`: the one place a kind becomes an HTTP status. */
const STATUS: Record<ErrorKind, ContentfulStatusCode | 304> = {
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

export function statusOf(kind: ErrorKind): ContentfulStatusCode | 304 {
  return STATUS[kind];
}

/** The status an error is answered with: its kind's, or 500 for an error without one. */
export function httpStatus(err: unknown): ContentfulStatusCode | 304 {
  return err instanceof DockerError ? statusOf(err.kind) : 500;
}

/** Renders any thrown error as Docker's error JSON (`{"message": ...}`); 304 has no body. */
export function renderError(err: unknown, c: Context) {
  const status = httpStatus(err);
  if (status === 304) return c.body(null, 304);
  const message = err instanceof Error ? err.message : String(err);
  return c.json({ message }, status);
}

const DONE = { ok: 200, created: 201, noContent: 204 } as const;

/** The status of the chart's answer to a request: its success, or its refusal's kind. */
export function statusOfOutcome(outcome: ReplyOutcome): ContentfulStatusCode | 204 | 304 {
  return outcome in DONE ? DONE[outcome as keyof typeof DONE] : statusOf(outcome as ErrorKind);
}

/**
 * The app's `onError`: every answer in Docker's error shape, and every 5xx logged, once, here
 * (a 4xx is the client's to read; a 5xx is the daemon's to explain). A 501 is a deliberate
 * refusal (what ACA cannot do), so it is a warning with its message, not an error with a stack.
 */
export function answerError(logger: Pick<Logger, 'error' | 'warn'>): ErrorHandler {
  return function answerError(err, c) {
    const status = httpStatus(err);
    const where = { method: c.req.method, path: c.req.path };
    if (status === 501) logger.warn({ ...where, message: (err as Error).message }, 'not implemented');
    else if (status >= 500) logger.error({ err, ...where }, 'request failed');
    return renderError(err, c);
  };
}
