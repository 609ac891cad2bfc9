import { randomUUID } from 'node:crypto';

import type { Context } from 'hono';

import { notFound } from './errors';
import { API_VERSION, operationResultPath, operationStatusPath } from './ids';
import type { SimulatorSettings } from './options';
import type { RouteSpec } from './routing';

/** What an operation's result URL answers once the operation is done. */
export type FinalAnswer = { status: 200; body?: object } | { status: 204 };

/** How an operation ends: as asked, Failed (a fault: its write did not take effect), or never (InProgress for good). */
export type OperationFate = 'succeed' | 'fail' | 'stuck';

interface Operation {
  id: string;
  startTime: Date;
  completesAt: number;
  final: FinalAnswer;
  fate: OperationFate;
  /** What the status monitor of a failed operation says (default: the injected fault's). */
  error?: OperationError;
}

/** The `error` of a Failed operation's status, which the SDK's poller throws as `… failed. <code>. <message>`. */
export interface OperationError {
  code: string;
  message: string;
}

/** What the status monitor of a failed operation says; the SDK's poller throws with code and message. */
const FAILURE: OperationError = {
  code: 'ContainerAppOperationError',
  message: 'The operation failed (fault injected by the simulator); the change was not applied.',
};

/**
 * Long-running operations of realistic mode: each stays InProgress for lroDelayMs. Clients poll
 * either the status monitor (`Azure-AsyncOperation`) or the result URL (`Location`, 202 until done).
 */
export class OperationRegistry {
  #operations = new Map<string, Operation>();
  #settings: SimulatorSettings;

  constructor(settings: SimulatorSettings) {
    this.#settings = settings;
  }

  /** `durationMs`: how long it stays InProgress (default lroDelayMs); `error`: why a failing one failed. */
  create(final: FinalAnswer, fate: OperationFate = 'succeed', durationMs = this.#settings.lroDelayMs, error?: OperationError): string {
    const id = randomUUID();
    const completesAt = fate === 'stuck' ? Infinity : Date.now() + durationMs;
    this.#operations.set(id, { id, startTime: new Date(), completesAt, final, fate, ...(error && { error }) });
    return id;
  }

  /** Absolute URL of the status monitor; `origin` is the one the client used. */
  statusUrl(origin: string, id: string): string {
    return `${origin}${operationStatusPath(this.#settings, id)}?api-version=${API_VERSION}`;
  }

  resultUrl(origin: string, id: string): string {
    return `${origin}${operationResultPath(this.#settings, id)}?api-version=${API_VERSION}`;
  }

  routes(): RouteSpec[] {
    const find = (c: Context): Operation => {
      const operation = this.#operations.get(c.req.param('operationId')!);
      if (!operation) throw notFound('OperationNotFound', `Operation '${c.req.param('operationId')}' was not found.`);
      return operation;
    };
    const base = '/subscriptions/:subscriptionId/providers/Microsoft.App/locations/:location';
    return [
      {
        method: 'GET',
        path: `${base}/containerappOperationStatuses/:operationId`,
        operation: 'OperationStatus',
        kind: 'read',
        audience: 'arm',
        handle: (c) => {
          const operation = find(c);
          const done = Date.now() >= operation.completesAt;
          const failed = done && operation.fate === 'fail';
          return c.json({
            id: operationStatusPath(this.#settings, operation.id),
            name: operation.id,
            status: failed ? 'Failed' : done ? 'Succeeded' : 'InProgress',
            startTime: operation.startTime.toISOString(),
            ...(done ? { endTime: new Date(operation.completesAt).toISOString() } : {}),
            ...(failed ? { error: operation.error ?? FAILURE } : {}),
          });
        },
      },
      {
        method: 'GET',
        path: `${base}/containerappOperationResults/:operationId`,
        operation: 'OperationResult',
        kind: 'read',
        audience: 'arm',
        handle: (c) => {
          const operation = find(c);
          if (Date.now() < operation.completesAt) {
            c.header('Location', this.resultUrl(new URL(c.req.url).origin, operation.id));
            return c.body(null, 202);
          }
          if (operation.fate === 'fail') return c.json({ error: operation.error ?? FAILURE }, 500);
          const final = operation.final;
          if (final.status === 204) return c.body(null, 204);
          return final.body ? c.json(final.body, 200) : c.body(null, 200);
        },
      },
    ];
  }
}
