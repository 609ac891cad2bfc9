import { invalidParameter } from '../errdefs';
import { familiarName, familiarString, parseReference } from './reference';

/** Go's path.Match as a RegExp: `*` and `?` stop at `/`, `[...]` classes with `^` negation, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) throw invalidParameter(`syntax error in pattern: ${pattern}`);
      out += escape(pattern[++i]!);
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw invalidParameter(`syntax error in pattern: ${pattern}`);
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\][]/g, '\\$&')}]`;
      i = close;
    } else out += escape(c);
  }
  try {
    return new RegExp(`^${out}$`);
  } catch {
    throw invalidParameter(`syntax error in pattern: ${pattern}`);
  }
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Docker's FamiliarMatch: the pattern against `alpine:latest`, then against `alpine`. */
export function referenceMatches(pattern: RegExp, qualified: string): boolean {
  const ref = parseReference(qualified);
  return pattern.test(familiarString(ref)) || pattern.test(familiarName(ref));
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The `until` filter: a Go duration before now (`24h`), unix seconds, or an RFC 3339 / date string. */
export function parseUntil(value: string, now: Date): Date {
  if (/^-?\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  if (GO_DURATION.test(value)) {
    let ms = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return new Date(now.getTime() - ms);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidParameter(`failed to parse value as time or duration: "${value}"`);
  return new Date(ms);
}

/** A boolean filter value (`dangling`): only `true`/`false`/`1`/`0`. */
export function boolFilter(name: string, values: string[] | undefined): boolean | undefined {
  if (!values?.length) return undefined;
  const v = values[values.length - 1]!.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidParameter(`invalid filter '${name}=${values[values.length - 1]}'`);
}
