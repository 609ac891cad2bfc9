import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { z } from 'zod';

import type { RouteSpec } from './routing';
import { seededRandom } from './profile/random';

export type FaultKind = 'throttle' | 'error500' | 'error503' | 'drop' | 'slow' | 'lro-failed' | 'lro-stuck' | 'execution-stuck' | 'logs-partial';

export interface FaultRule {
  /** A route operation name (`Jobs_CreateOrUpdate`, `Jobs_Start`, `Jobs_Delete`, `JobExecution`, `Jobs_StopExecution`, `OperationStatus`, `Query_Execute`, ...), 'arm' for every ARM route, or '*'. */
  operation: string;
  kind: FaultKind;
  /** 0..1: the share of matching requests that get this fault. */
  rate: number;
  /** throttle/error503: the Retry-After seconds sent (default 1). */
  retryAfterSeconds?: number;
  /** slow: how long the response is held (default 2000). */
  delayMs?: number;
}

export interface FaultPlan {
  seed: number;
  rules: FaultRule[];
}

export interface ArmThrottle {
  reads: { bucket: number; refillPerSecond: number };
  writes: { bucket: number; refillPerSecond: number };
}

/** Kinds answered by the request wrapper itself; the others are applied by the route's handler. */
const WIRE_KINDS: ReadonlySet<FaultKind> = new Set(['throttle', 'error500', 'error503', 'drop', 'slow']);

export const faultPlanSchema = z.strictObject({
  seed: z.number().int(),
  rules: z.array(
    z.strictObject({
      operation: z.string().min(1),
      kind: z.enum(['throttle', 'error500', 'error503', 'drop', 'slow', 'lro-failed', 'lro-stuck', 'execution-stuck', 'logs-partial']),
      rate: z.number().min(0).max(1),
      retryAfterSeconds: z.number().int().min(0).optional(),
      delayMs: z.number().min(0).optional(),
    }),
  ),
});

const bucketSchema = z.strictObject({ bucket: z.number().int().min(1), refillPerSecond: z.number().positive() });
export const armThrottleSchema = z.strictObject({ reads: bucketSchema, writes: bucketSchema });

/** `value` checked against `schema`; throws an Error naming the first offending field. */
export function parseSetting<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Parses JSON text, or `@path` to read it from a file, against `schema`; throws a readable Error. */
export function parseJsonSetting<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const json = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${what}: not JSON: ${(err as Error).message}`);
  }
  return parseSetting(schema, value, what);
}

function ruleMatches(rule: FaultRule, route: RouteSpec): boolean {
  if (rule.operation === route.operation) return true;
  // Identity routes are only faulted when a rule names them.
  if (route.kind === 'identity') return false;
  return rule.operation === '*' || (rule.operation === 'arm' && route.audience === 'arm');
}

/**
 * Decides, per request, which fault (if any) it gets. Every rule that matches the route draws
 * once from the seeded PRNG, in plan order, until one hits: a given seed and request order give
 * the same faults.
 */
export class FaultInjector {
  #plan: FaultPlan | undefined;
  #random: () => number = Math.random;
  #injected = new Map<string, number>();

  constructor(plan?: FaultPlan) {
    this.setPlan(plan);
  }

  /** Replaces the plan (undefined: no faults), reseeds the PRNG and zeroes the counts. */
  setPlan(plan: FaultPlan | undefined): void {
    this.#plan = plan === undefined ? undefined : parseSetting(faultPlanSchema, plan, 'fault plan');
    this.#random = seededRandom(plan?.seed ?? 0);
    this.#injected.clear();
  }

  plan(): FaultPlan | undefined {
    return this.#plan;
  }

  /** Injected faults per `operation:kind`. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#injected);
  }

  /** The fault for one request to `route`, counted; hook kinds only where the route implements them. */
  decide(route: RouteSpec): FaultRule | undefined {
    for (const rule of this.#plan?.rules ?? []) {
      if (!ruleMatches(rule, route)) continue;
      if (!WIRE_KINDS.has(rule.kind) && !route.faultHooks?.includes(rule.kind)) continue;
      if (this.#random() >= rule.rate) continue;
      const key = `${route.operation}:${rule.kind}`;
      this.#injected.set(key, (this.#injected.get(key) ?? 0) + 1);
      return rule;
    }
    return undefined;
  }
}

function errorAnswer(c: Context, status: 429 | 500 | 503, code: string, message: string, retryAfterSeconds?: number): Response {
  if (retryAfterSeconds !== undefined) c.header('Retry-After', String(retryAfterSeconds));
  return c.json({ error: { code, message } }, status);
}

/**
 * Applies a wire-level fault: the answer to send instead of the operation's, or undefined to go
 * on with it (after a `slow` delay, or for a kind the handler applies).
 */
export async function answerWireFault(c: Context, rule: FaultRule): Promise<Response | undefined> {
  const suffix = '(fault injected by the simulator)';
  switch (rule.kind) {
    case 'throttle':
      return errorAnswer(c, 429, 'TooManyRequests', `Too many requests, retry later ${suffix}.`, rule.retryAfterSeconds ?? 1);
    case 'error500':
      return errorAnswer(c, 500, 'InternalServerError', `An internal server error occurred ${suffix}.`);
    case 'error503':
      return errorAnswer(c, 503, 'ServiceUnavailable', `The service is unavailable ${suffix}.`, rule.retryAfterSeconds ?? 1);
    case 'drop': {
      // No answer at all: the client sees its connection reset. The Response is never written.
      (c.env as HttpBindings).incoming.socket.destroy();
      return new Response(null, { status: 500 });
    }
    case 'slow':
      await delay(rule.delayMs ?? 2000);
      return undefined;
    default:
      return undefined;
  }
}
