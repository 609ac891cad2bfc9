import type { Context } from 'hono';
import { z } from 'zod';

import { ServiceError, notFound } from './errors';
import type { FaultKind } from './faults';
import { parseQuery, runQuery } from './kql';
import type { Column, Table } from './kql';
import { CONSOLE_LOGS_TABLE } from './log-store';
import type { ConsoleLogRow, LogStore } from './log-store';
import type { SimulatorSettings } from './options';
import { parseBody, readJsonBody } from './routing';
import type { RouteSpec } from './routing';
import { parseTimespan } from './timespan';

const CONSOLE_LOG_COLUMNS: Column[] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'ContainerJobName_s', type: 'string' },
  { name: 'ContainerGroupName_s', type: 'string' },
  { name: 'ContainerName_s', type: 'string' },
  { name: 'Stream_s', type: 'string' },
  { name: 'Log_s', type: 'string' },
  { name: 'EnvironmentName_s', type: 'string' },
];

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

function consoleLogTable(rows: ConsoleLogRow[], timespan: string | undefined): Table {
  const range = timespan === undefined ? undefined : parseTimespan(timespan);
  const inRange = range ? rows.filter((r) => r.TimeGenerated >= range.start && r.TimeGenerated <= range.end) : rows;
  return { columns: CONSOLE_LOG_COLUMNS, rows: inRange.map((r) => ({ ...r })) };
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
export function logAnalyticsRoutes(settings: SimulatorSettings, logs: LogStore): RouteSpec[] {
  function answer(c: Context, workspaceId: string, query: string, timespan: string | undefined, fault: FaultKind | undefined): Response {
    if (workspaceId.toLowerCase() !== settings.workspaceId.toLowerCase()) {
      throw notFound('WorkspaceNotFoundError', `The workspace '${workspaceId}' could not be found`);
    }
    const parsed = parseQuery(query);
    const result = runQuery(parsed, (name) =>
      name === CONSOLE_LOGS_TABLE ? consoleLogTable(logs.queryable(), timespan) : undefined,
    );
    const tables = [renderTable(result)];
    return c.json(fault === 'logs-partial' ? { tables, error: PARTIAL_ERROR } : { tables });
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
