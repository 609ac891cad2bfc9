// What leaves the daemon through inspection carries no secrets: environment values and any
// field whose name says it is a credential are replaced.

const secretKey = /token|secret|password|passwd|credential|authorization|api_?key|private/i;
const REDACTED = '[redacted]';

/** A copy of `value` with `Env` values and credential-named fields redacted. */
export function redact<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 16) return '[too deep]' as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value instanceof Error) return { message: value.message } as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (secretKey.test(key)) out[key] = REDACTED;
    else if (key === 'Env' && Array.isArray(v)) out[key] = v.map((e) => (typeof e === 'string' ? `${e.split('=')[0]}=${REDACTED}` : REDACTED));
    else out[key] = redact(v, depth + 1);
  }
  return out as T;
}
