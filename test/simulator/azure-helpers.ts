// Helpers for the azure profile, whose log table does not exist until its first rows arrive.
import type { RestError } from '@azure/core-rest-pipeline';

import { logRows } from './helpers';
import type { SimHarness } from './helpers';

/** True for the query API's 400 for a table that does not exist (yet). */
export function isUnknownTable(err: unknown): boolean {
  // The SDK hands the body's error over as details, its innererror spelt innerError.
  const e = err as RestError & { details?: { error?: { innerError?: { innerError?: { code?: string } } } } };
  return e?.statusCode === 400 && e.details?.error?.innerError?.innerError?.code === 'SEM0100';
}

/** A job's [stream, line] rows, or [] while the table does not exist yet. */
export async function logRowsOrNone(h: SimHarness, job: string): Promise<unknown[][]> {
  try {
    return await logRows(h, job);
  } catch (err) {
    if (isUnknownTable(err)) return [];
    throw err;
  }
}

/** Waits until a job logged `row`, however late Log Analytics makes it queryable. */
export async function waitForLoggedRow(h: SimHarness, job: string, row: unknown[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await logRowsOrNone(h, job)).some((r) => JSON.stringify(r) === JSON.stringify(row))) {
    if (Date.now() > deadline) throw new Error(`no log row ${JSON.stringify(row)} for ${job}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
