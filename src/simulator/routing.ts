import type { Context } from 'hono';
import type { z } from 'zod';

import { badRequest } from './errors';
import type { FaultKind } from './faults';
import type { RequestKind } from './stats';

/** Which bearer token a route requires: one for ARM, one for Log Analytics, or none. */
export type Audience = 'arm' | 'logs' | 'none';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** One line of the simulator's route table. */
export interface RouteSpec {
  method: HttpMethod;
  /** Hono path pattern. */
  path: string;
  /** Name counted in stats (the REST operation id where Azure has one). */
  operation: string;
  kind: RequestKind;
  audience: Audience;
  /** Fault kinds the handler applies itself (lro-failed, lro-stuck, execution-stuck, logs-partial). */
  faultHooks?: readonly FaultKind[];
  /** `fault`: the hook fault decided for this request, if any. */
  handle: (c: Context, fault?: FaultKind) => Response | Promise<Response>;
}

/** The request body parsed as JSON; undefined when empty (e.g. `start` without a template). */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('InvalidRequestContent', 'The request content was invalid and could not be deserialized as JSON.');
  }
}

/** Parses `value` or throws a 400 with `code`, naming the first offending field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, what: string, code = 'InvalidRequestContent'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : what;
  throw badRequest(code, `Invalid ${what}: ${field}: ${issue.message}`);
}
