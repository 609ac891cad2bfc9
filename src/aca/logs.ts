import { LogsQueryResultStatus } from '@azure/monitor-query';
import type { LogsQueryClient, LogsTable } from '@azure/monitor-query';
import type { LogQuery, LogRow } from './cloud';
import { CloudError, PARTIAL_ERROR, toCloudError } from './errors';
import { buildLogQuery } from './kql';

const thirtyDaysMs = 30 * 24 * 60 * 60 * 1000;

/** Log Analytics rows for a job, oldest first. */
export async function queryJobLogs(
  client: LogsQueryClient,
  workspaceId: string | undefined,
  q: LogQuery,
  signal?: AbortSignal,
): Promise<LogRow[]> {
  if (workspaceId === undefined || workspaceId === '') {
    throw new Error('logs need SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE (no Log Analytics workspace is configured)');
  }
  const query = buildLogQuery(q);
  const now = Date.now();
  // A bounded timespan is mandatory; the query's own where clauses do the precise filtering.
  const timespan = {
    startTime: q.since ?? new Date(now - thirtyDaysMs),
    endTime: q.until ?? new Date(now + 60_000),
  };
  let result;
  try {
    result = await client.queryWorkspace(workspaceId, query, timespan, { abortSignal: signal });
  } catch (err) {
    throw toCloudError(err, 'query logs of', q.jobName);
  }
  if (result.status === LogsQueryResultStatus.PartialFailure) {
    // Some rows are missing: an error, not a short answer; another query may be whole.
    throw new CloudError('query logs of', q.jobName, `partial answer: ${result.partialError.message}`, undefined, PARTIAL_ERROR);
  }
  const table = result.tables[0];
  const rows = table === undefined ? [] : tableToRows(table);
  return q.tail !== undefined ? rows.reverse() : rows;
}

/** Maps rows by column name, so a different column order still reads right. */
export function tableToRows(table: LogsTable): LogRow[] {
  const index = (name: string) => table.columnDescriptors.findIndex((c) => c.name === name);
  const time = index('TimeGenerated');
  const stream = index('Stream_s');
  const line = index('Log_s');
  return table.rows.map((row) => ({
    time: toIso(row[time]),
    stream: row[stream] === 'stderr' ? 'stderr' : 'stdout',
    line: row[line] == null ? '' : String(row[line]),
  }));
}

function toIso(cell: unknown): string {
  if (cell instanceof Date) return cell.toISOString();
  const parsed = new Date(String(cell));
  return Number.isNaN(parsed.getTime()) ? String(cell) : parsed.toISOString();
}
