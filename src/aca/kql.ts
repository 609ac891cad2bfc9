import type { LogQuery } from './cloud';

/** A KQL string literal: double-quoted, with backslashes, quotes and control characters escaped. */
export function kqlString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  const escaped = value.replace(/[\\"\u0000-\u001f]/g, (ch) => {
    switch (ch) {
      case '\\': return '\\\\';
      case '"': return '\\"';
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${escaped}"`;
}

/** A KQL `datetime(...)` literal from a valid Date. */
export function kqlDatetime(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new RangeError('log query: invalid date');
  return `datetime(${value.toISOString()})`;
}

/**
 * The console-log table of one log destination and its column names. `log-analytics` writes the
 * legacy Data Collector table `ContainerAppConsoleLogs_CL` (typed suffixes; `_timestamp_d` is when
 * the line was emitted, TimeGenerated about when it was received); `azure-monitor` writes
 * `ContainerAppConsoleLogs` (plain names, only TimeGenerated).
 */
export interface LogSchema {
  table: string;
  job: string;
  group: string;
  container: string;
  stream: string;
  log: string;
  /** The emit time, epoch seconds; absent where the table has none. */
  emit?: string;
}

export const CUSTOM_LOG_SCHEMA: LogSchema = {
  table: 'ContainerAppConsoleLogs_CL',
  job: 'ContainerJobName_s',
  group: 'ContainerGroupName_s',
  container: 'ContainerName_s',
  stream: 'Stream_s',
  log: 'Log_s',
  emit: '_timestamp_d',
};

export const AZURE_MONITOR_LOG_SCHEMA: LogSchema = {
  table: 'ContainerAppConsoleLogs',
  job: 'JobName',
  group: 'ContainerGroupName',
  container: 'ContainerName',
  stream: 'Stream',
  log: 'Log',
};

/** The main container's name in every job (init containers, the agent's installer among them, have others). */
const MAIN = 'main';

export interface QueryShape {
  /** Project the schema's emit-time column (it exists only once rows carrying it were ingested). */
  emit: boolean;
}

/** The filters and projection of one table, without ordering. */
function tableQuery(q: LogQuery, schema: LogSchema, shape: QueryShape): string[] {
  // On ACA the group column holds the replica name (it starts with the execution name) and the
  // job column the job name (Microsoft's jobs quickstart query).
  const lines = [schema.table, `| where ${schema.job} == ${kqlString(q.jobName)}`];
  if (q.executionName !== undefined) {
    lines.push(`| where ${schema.group} startswith ${kqlString(q.executionName)}`);
  }
  lines.push(`| where ${schema.container} == ${kqlString(MAIN)}`);
  if (q.since !== undefined) lines.push(`| where TimeGenerated >= ${kqlDatetime(q.since)}`);
  if (q.until !== undefined) lines.push(`| where TimeGenerated <= ${kqlDatetime(q.until)}`);
  const emit = shape.emit && schema.emit ? `, ${schema.emit}` : '';
  lines.push(`| project TimeGenerated${emit}, ${schema.stream}, ${schema.log}`);
  return lines;
}

function ordering(q: LogQuery): string {
  if (q.tail === undefined) return '| order by TimeGenerated asc';
  if (!Number.isSafeInteger(q.tail) || q.tail < 0) {
    throw new RangeError(`log query: tail must be a non-negative integer, got ${q.tail}`);
  }
  return `| order by TimeGenerated desc | take ${q.tail}`;
}

/**
 * The console-log query for one job's main container, in the exact clause order the embedded
 * simulator parses. With `tail` the rows come newest first; the caller reverses them. With more
 * than one schema (a destination the environment did not tell) the tables are unioned fuzzily,
 * so whichever does not exist is skipped.
 */
export function buildLogQuery(q: LogQuery, schemas: readonly LogSchema[] = [CUSTOM_LOG_SCHEMA], shape: QueryShape = { emit: false }): string {
  const order = ordering(q);
  if (schemas.length === 1) return [...tableQuery(q, schemas[0]!, shape), order].join('\n');
  const parts = schemas.map((schema) => `(${tableQuery(q, schema, shape).join(' ')})`);
  return [`union isfuzzy=true ${parts.join(', ')}`, order].join('\n');
}
