// Compares a reference record (what Azure answered) with a candidate (what the simulator answered
// to the same suite), operation by operation: the statuses, the headers that matter, the body
// shapes and the enumerations' values the reference saw must all be seen in the candidate too.
import type { ExchangeRecord } from './exchange-recorder';

interface Seen {
  headers: Set<string>;
  shape: Set<string>;
  values: Map<string, Set<string>>;
  ms: number[];
}

/** operation → status → what was seen with that status. */
type Summary = Map<string, Map<number, Seen>>;

function summarize(record: ExchangeRecord): Summary {
  const summary: Summary = new Map();
  for (const e of record.exchanges) {
    if (!summary.has(e.operation)) summary.set(e.operation, new Map());
    const byStatus = summary.get(e.operation)!;
    if (!byStatus.has(e.status)) byStatus.set(e.status, { headers: new Set(), shape: new Set(), values: new Map(), ms: [] });
    const seen = byStatus.get(e.status)!;
    for (const h of Object.keys(e.headers)) seen.headers.add(h);
    for (const p of e.responseShape) seen.shape.add(p);
    for (const [path, values] of Object.entries(e.values)) {
      if (!seen.values.has(path)) seen.values.set(path, new Set());
      for (const v of values) seen.values.get(path)!.add(v);
    }
    seen.ms.push(e.ms);
  }
  return summary;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export interface Comparison {
  /** What the reference saw that the candidate never did: each a sentence naming the operation. */
  differences: string[];
  /** Median durations per operation, reference beside candidate (information, not a check). */
  timings: string[];
}

export function compareRecords(reference: ExchangeRecord, candidate: ExchangeRecord): Comparison {
  const [ref, cand] = [summarize(reference), summarize(candidate)];
  const differences: string[] = [];
  const timings: string[] = [];
  const them = candidate.madeBy;
  for (const [operation, byStatus] of ref) {
    const other = cand.get(operation);
    if (!other) {
      differences.push(`${operation}: ${reference.madeBy} was asked it, ${them} never was`);
      continue;
    }
    for (const [status, seen] of byStatus) {
      const theirs = other.get(status);
      if (!theirs) {
        differences.push(`${operation}: ${reference.madeBy} answered ${status}, ${them} only ${[...other.keys()].join(', ')}`);
        continue;
      }
      for (const h of seen.headers) if (!theirs.headers.has(h)) differences.push(`${operation} ${status}: header ${h} missing from ${them}'s answers`);
      for (const p of seen.shape) if (!theirs.shape.has(p)) differences.push(`${operation} ${status}: body field ${p} missing from ${them}'s answers`);
      for (const [path, values] of seen.values) {
        for (const v of values) if (!theirs.values.get(path)?.has(v)) differences.push(`${operation} ${status}: ${path} = ${v} never seen from ${them}`);
      }
      timings.push(`${operation} ${status}: median ${median(seen.ms)} ms (${reference.madeBy}), ${median(theirs.ms)} ms (${them})`);
    }
  }
  return { differences, timings };
}
