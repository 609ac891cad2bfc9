import type { LogQuery } from './cloud';

/** A KQL string literal: double-quoted, with backslashes, quotes and control characters escaped. */
export function kqlString(value: string): string {
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
 * The console-log query for one job, in the exact clause order the embedded simulator parses.
 * With `tail` the rows come newest first; the caller reverses them.
 */
export function buildLogQuery(q: LogQuery): string {
  // The seed filtered ContainerGroupName_s == jobName; on ACA that column holds the replica name
  // and ContainerJobName_s the job name (Microsoft's jobs quickstart query).
  const lines = ['ContainerAppConsoleLogs_CL', `| where ContainerJobName_s == ${kqlString(q.jobName)}`];
  if (q.executionName !== undefined) {
    lines.push(`| where ContainerGroupName_s startswith ${kqlString(q.executionName)}`);
  }
  if (q.since !== undefined) lines.push(`| where TimeGenerated >= ${kqlDatetime(q.since)}`);
  if (q.until !== undefined) lines.push(`| where TimeGenerated <= ${kqlDatetime(q.until)}`);
  lines.push('| project TimeGenerated, Stream_s, Log_s');
  if (q.tail !== undefined) {
    if (!Number.isSafeInteger(q.tail) || q.tail < 0) {
      throw new RangeError(`log query: tail must be a non-negative integer, got ${q.tail}`);
    }
    lines.push(`| order by TimeGenerated desc | take ${q.tail}`);
  } else {
    lines.push('| order by TimeGenerated asc');
  }
  return lines.join('\n');
}
