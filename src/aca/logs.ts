import { LogsQueryResultStatus } from '@azure/monitor-query';
import type { LogsQueryClient, LogsTable } from '@azure/monitor-query';
import type { LogQuery, LogRow } from './cloud';
import type { LogDestination } from './environment';
import { CloudError, PARTIAL_ERROR, toCloudError } from './errors';
import { AZURE_MONITOR_LOG_SCHEMA, buildLogQuery, CUSTOM_LOG_SCHEMA, type LogSchema } from './kql';
import { QueryBudget } from './log-budget';

const thirtyDaysMs = 30 * 24 * 60 * 60 * 1000;
/** After the emit-time column was missing, how long queries go without it before trying again. */
const EMIT_RETRY_MS = 5 * 60_000;

/** The tables a destination writes; both (fuzzily unioned) when the environment did not say. */
export function schemasFor(destination: LogDestination | undefined): LogSchema[] {
  if (destination === 'azure-monitor') return [AZURE_MONITOR_LOG_SCHEMA];
  if (destination === 'unknown') return [CUSTOM_LOG_SCHEMA, AZURE_MONITOR_LOG_SCHEMA];
  return [CUSTOM_LOG_SCHEMA];
}

/**
 * How late rows show up in this workspace: the largest of the recent delays between a line's
 * time and the poll that first saw it (an upper bound, off by at most a poll interval).
 */
export class IngestionLag {
  readonly #samples: number[] = [];

  observe(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#samples.push(ms);
    if (this.#samples.length > 32) this.#samples.shift();
  }

  /** Undefined until a row was seen arrive. */
  estimate(): number | undefined {
    return this.#samples.length ? Math.max(...this.#samples) : undefined;
  }
}

export interface LogReaderOptions {
  workspaceId?: string;
  destination?: LogDestination;
  budget?: QueryBudget;
}

/**
 * The one Log Analytics reader of a workspace: every follower's query goes through its budget
 * (Azure allows 5 queries at once and 200 per 30 s), identical queries in flight are asked once,
 * and what Azure answers for a table or column that does not exist yet (a `_CL` table appears
 * with its first row) is "no lines yet", not an error.
 */
export class LogReader {
  readonly lag = new IngestionLag();
  readonly budget: QueryBudget;
  readonly #client: LogsQueryClient;
  readonly #workspaceId: string | undefined;
  readonly #destination: LogDestination | undefined;
  readonly #schemas: LogSchema[];
  #emitMissingUntil = 0;
  readonly #inFlight = new Map<string, Promise<LogRow[]>>();

  constructor(client: LogsQueryClient, options: LogReaderOptions = {}) {
    this.#client = client;
    this.#workspaceId = options.workspaceId;
    this.#destination = options.destination;
    this.#schemas = schemasFor(options.destination);
    this.budget = options.budget ?? new QueryBudget();
  }

  /** Rows of a job's main container, oldest first (by the time each line was emitted, where the table has it). */
  async query(q: LogQuery, signal?: AbortSignal): Promise<LogRow[]> {
    if (this.#workspaceId === undefined || this.#workspaceId === '') {
      throw new Error('logs need SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE (no Log Analytics workspace is configured)');
    }
    if (this.#destination === 'none') {
      throw new Error(`the environment keeps no console logs (its log destination is none): set it to log-analytics or azure-monitor to read ${q.jobName}'s output`);
    }
    const emit = Date.now() >= this.#emitMissingUntil;
    const key = JSON.stringify([q.jobName, q.executionName, q.since, q.until, q.tail, emit]);
    let shared = this.#inFlight.get(key);
    if (!shared) {
      shared = this.#ask(this.#workspaceId, q, emit).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, shared);
    }
    return abortable(shared, signal);
  }

  async #ask(workspaceId: string, q: LogQuery, emit: boolean): Promise<LogRow[]> {
    const query = buildLogQuery(q, this.#schemas, { emit });
    const now = Date.now();
    // A bounded timespan is mandatory; the query's own where clauses do the precise filtering.
    const timespan = { startTime: q.since ?? new Date(now - thirtyDaysMs), endTime: q.until ?? new Date(now + 60_000) };
    let result;
    try {
      result = await this.budget.run(() => this.#client.queryWorkspace(workspaceId, query, timespan));
    } catch (err) {
      const missing = unresolvedName(err);
      if (missing !== undefined && emit && this.#schemas.some((s) => s.emit === missing)) {
        // No row with an emit time was ingested yet: order by TimeGenerated for a while.
        this.#emitMissingUntil = Date.now() + EMIT_RETRY_MS;
        return this.#ask(workspaceId, q, false);
      }
      if (missing !== undefined && this.#schemas.some((s) => Object.values(s).includes(missing))) return [];
      throw toCloudError(err, 'query logs of', q.jobName);
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      // Some rows are missing: an error, not a short answer; another query may be whole.
      throw new CloudError('query logs of', q.jobName, `partial answer: ${result.partialError.message}`, undefined, PARTIAL_ERROR);
    }
    const table = result.tables[0];
    const rows = table === undefined ? [] : tableToRows(table);
    return byTime(q.tail !== undefined ? rows.reverse() : rows);
  }
}

/** Log rows for a job, oldest first, through a reader made for this one call (tests, tools). */
export function queryJobLogs(client: LogsQueryClient, workspaceId: string | undefined, q: LogQuery, signal?: AbortSignal): Promise<LogRow[]> {
  return new LogReader(client, { workspaceId }).query(q, signal);
}

/**
 * The name in Azure's "Failed to resolve table or column expression named 'X'" (or "scalar
 * expression"), the answer to a table or column no ingested row has created yet.
 */
export function unresolvedName(err: unknown): string | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status !== 400) return undefined;
  const text = `${(err as Error).message ?? ''} ${safeJson((err as { details?: unknown }).details)}`;
  return /Failed to resolve (?:table or column|scalar) expression named '([^']+)'/.exec(text)?.[1];
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

const STREAM_COLUMNS = ['Stream_s', 'Stream'];
const LOG_COLUMNS = ['Log_s', 'Log'];

/**
 * Maps rows by column name, so a different column order (or either table's names) still reads
 * right. `time` is when the line was emitted where the table says (`_timestamp_d`), else
 * TimeGenerated; `ingested` is always TimeGenerated, the column queries filter on.
 */
export function tableToRows(table: LogsTable): LogRow[] {
  const index = (name: string) => table.columnDescriptors.findIndex((c) => c.name === name);
  const indexes = (names: string[]) => names.map(index).filter((i) => i >= 0);
  const generated = index('TimeGenerated');
  const emitted = index('_timestamp_d');
  const streams = indexes(STREAM_COLUMNS);
  const logs = indexes(LOG_COLUMNS);
  const first = (row: unknown[], at: number[]) => at.map((i) => row[i]).find((v) => v != null && v !== '');
  return table.rows.map((row) => {
    const ingested = toIso(row[generated]);
    const emit = emitted >= 0 ? Number(row[emitted]) : NaN;
    const line = first(row, logs);
    return {
      time: Number.isFinite(emit) && row[emitted] != null ? new Date(emit * 1000).toISOString() : ingested,
      ...(emitted >= 0 && { ingested }),
      stream: first(row, streams) === 'stderr' ? 'stderr' : 'stdout',
      line: line == null ? '' : String(line),
    };
  });
}

/** Oldest first by the row's time; rows of the same time keep the order Azure gave them. */
function byTime(rows: LogRow[]): LogRow[] {
  return rows.map((row, i) => ({ row, i })).sort((a, b) => (a.row.time < b.row.time ? -1 : a.row.time > b.row.time ? 1 : a.i - b.i)).map((x) => x.row);
}

function toIso(cell: unknown): string {
  if (cell instanceof Date) return cell.toISOString();
  const parsed = new Date(String(cell));
  return Number.isNaN(parsed.getTime()) ? String(cell) : parsed.toISOString();
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', abort), resolve(v)),
      (e) => (signal.removeEventListener('abort', abort), reject(e)),
    );
  });
}
