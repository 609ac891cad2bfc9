import { invalidParameter } from '../errdefs';
import type { Filters } from '../filters';

export { matchLabels, type Filters } from '../filters';

/** Docker clients send booleans as 1/0, true/false (dockerode) or True/False (docker-py). */
export function bool(value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === '') return fallback;
  switch (value.toLowerCase()) {
    case '1': case 'true': return true;
    case '0': case 'false': return false;
    default: throw invalidParameter(`invalid boolean value: ${JSON.stringify(value)}`);
  }
}

/** A decimal integer as Go's strconv.Atoi reads it (`1e3`, `0x10`, ` 5` and `1.0` are refused). */
export function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) throw invalidParameter(`invalid value for ${name}: ${JSON.stringify(value)}`);
  return n;
}

/**
 * The `filters` query parameter: JSON in the CLI's shape `{"label":{"a=b":true}}` or
 * docker-py's `{"label":["a=b"]}`.
 */
export function filters(value: string | undefined, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!value) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParameter(`invalid filters: ${value}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`invalid filters: ${value}`);
  for (const [key, v] of Object.entries(parsed)) {
    if (!allowed.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    const values = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.keys(v).filter((k) => (v as Record<string, unknown>)[k]) : [v];
    if (!values.every((x) => typeof x === 'string')) throw invalidParameter(`invalid filters: ${value}`);
    out.set(key, values as string[]);
  }
  return out;
}

/**
 * The path of a request URL as sent (percent-encoding kept), read without `new URL`: clients
 * send any Host (`api.moby.localhost`, or junk), and a Host the URL parser rejects must not
 * turn a good request into a 500.
 */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}
