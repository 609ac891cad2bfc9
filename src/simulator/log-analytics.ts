import type { Context } from 'hono';
import { z } from 'zod';

import { ServiceError, notFound } from './errors';
import type { FaultKind } from './faults';
import { parseQuery, runQuery } from './kql';
import type { Table } from './kql';
import type { LogStore } from './log-store';
import { QueryThrottled } from './query-limits';
import type { QueryLimiter } from './query-limits';
import type { SimulatorSettings } from './options';
import { parseBody, readJsonBody } from './routing';
import type { RouteSpec } from './routing';
import { parseTimespan } from './timespan';

const queryBodySchema = z.looseObject({
  query: z.string().min(1),
  timespan: z.string().optional(),
  workspaces: z.array(z.string()).optional(),
});

/** Wire table of the query API (oms-post-example.json): datetimes as ISO strings with ms. */
function renderTable(table: Table) {
  return {
    name: 'PrimaryResult',
    columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: table.rows.map((row) =>
      table.columns.map((c) => (c.type === 'datetime' ? new Date(row[c.name] as number).toISOString() : row[c.name])),
    ),
  };
}

/** Rows whose TimeGenerated lies in the query's timespan. */
function inTimespan(table: Table, timespan: string | undefined): Table {
  const range = timespan === undefined ? undefined : parseTimespan(timespan);
  if (!range) return table;
  return { columns: table.columns, rows: table.rows.filter((r) => (r.TimeGenerated as number) >= range.start && (r.TimeGenerated as number) <= range.end) };
}

/**
 * The service's PartialError beside the tables (HTTP 200): monitor-query reports it as
 * `status: "PartialFailure"` with `partialTables` and `partialError`.
 */
const PARTIAL_ERROR = {
  code: 'PartialError',
  message: 'There were some errors when processing your query.',
  details: [{ code: 'EngineError', message: 'Partial query failure (fault injected by the simulator)' }],
  innererror: { code: 'LimitsExceeded', message: 'Query result set has exceeded the internal limit (fault injected by the simulator)' },
};

/** `POST /v1/workspaces/{id}/query` (and the GET form) of the Log Analytics query API. */
export function logAnalyticsRoutes(settings: SimulatorSettings, logs: LogStore, limiter: QueryLimiter): RouteSpec[] {
  async function answer(c: Context, workspaceId: string, query: string, timespan: string | undefined, fault: FaultKind | undefined): Promise<Response> {
    if (workspaceId.toLowerCase() !== settings.workspaceId.toLowerCase()) {
      throw notFound('WorkspaceNotFoundError', `The workspace '${workspaceId}' could not be found`);
    }
    const parsed = parseQuery(query);
    try {
      // The table as of when the query runs (after its wait for a slot and its own duration).
      const result = await limiter.run(() => runQuery(parsed, (name) => {
        const table = logs.table(name);
        return table && inTimespan(table, timespan);
      }));
      const tables = [renderTable(result)];
      return c.json(fault === 'logs-partial' ? { tables, error: PARTIAL_ERROR } : { tables });
    } catch (err) {
      if (!(err instanceof QueryThrottled)) throw err;
      c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json(err.toBody(), 429);
    }
  }

  return [
    {
      method: 'POST',
      path: '/v1/workspaces/:workspaceId/query',
      operation: 'Query_Execute',
      kind: 'read',
      audience: 'logs',
      faultHooks: ['logs-partial'],
      async handle(c, fault) {
        const body = parseBody(queryBodySchema, await readJsonBody(c), 'query body', 'BadArgumentError');
        return answer(c, c.req.param('workspaceId')!, body.query, body.timespan, fault);
      },
    },
    {
      method: 'GET',
      path: '/v1/workspaces/:workspaceId/query',
      operation: 'Query_Get',
      kind: 'read',
      audience: 'logs',
      faultHooks: ['logs-partial'],
      handle(c, fault) {
        const query = c.req.query('query');
        if (!query) throw new ServiceError(400, 'BadArgumentError', "The 'query' parameter is required");
        return answer(c, c.req.param('workspaceId')!, query, c.req.query('timespan'), fault);
      },
    },
  ];
}
