// The kinds of value a setting holds: each turns the variable's text into its value, or throws the
// message a user sees (naming the variable). Blank text counts as unset unless a kind says otherwise.

/** The text with spaces trimmed; undefined when unset or blank. */
export function blank(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export const text = (raw: string | undefined): string | undefined => blank(raw);

/** A whole number above 0 (or at least 0 with `min: 0`); `fallback` when unset. */
export function integer(min: 0 | 1, fallback: number, phrase: (name: string, raw: string) => string) {
  return (raw: string | undefined, name: string): number => {
    const given = blank(raw);
    if (given === undefined) return fallback;
    const value = Number(given);
    if (!Number.isSafeInteger(value) || value < min) throw new Error(phrase(name, given));
    return value;
  };
}

/** As `integer`, but undefined when unset (the default depends on where the daemon runs). */
export function optionalInteger(min: 0 | 1, phrase: (name: string, raw: string) => string) {
  const parse = integer(min, Number.NaN, phrase);
  return (raw: string | undefined, name: string): number | undefined => (blank(raw) === undefined ? undefined : parse(raw, name));
}

export const positiveMs = (name: string, raw: string) => `${name} must be a positive integer (milliseconds), got "${raw}"`;
export const positiveNot = (name: string, raw: string) => `${name} must be a positive integer, not ${raw}`;
export const nonNegativeNot = (name: string, raw: string) => `${name} must be a non-negative integer, not ${raw}`;

/** One of `allowed`; `fallback` when unset. */
export function oneOf<T extends string>(allowed: readonly T[], fallback: T) {
  return (raw: string | undefined, name: string): T => {
    const given = blank(raw);
    if (given === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(given)) throw new Error(`${name} must be ${orList(allowed)}, not ${given}`);
    return given as T;
  };
}

/** As `oneOf`, but undefined when unset. */
export function optionalOneOf<T extends string>(allowed: readonly T[]) {
  return (raw: string | undefined, name: string): T | undefined => (blank(raw) === undefined ? undefined : oneOf(allowed, allowed[0]!)(raw, name));
}

/** `on` or `off` (also true/false, 1/0, any case); `fallback` when unset. */
export function onOff(fallback: boolean) {
  return (raw: string | undefined, name: string): boolean => {
    const given = blank(raw)?.toLowerCase();
    if (given === undefined) return fallback;
    if (['on', 'true', '1'].includes(given)) return true;
    if (['off', 'false', '0'].includes(given)) return false;
    throw new Error(`${name} must be on or off, not ${raw}`);
  };
}

/** Comma-separated items, blanks dropped; empty when unset. */
export const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function orList(items: readonly string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
