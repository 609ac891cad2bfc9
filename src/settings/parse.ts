import { z } from 'zod';
import type { Setting } from './setting';

/** Variables as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

export type ValuesOf<S extends Record<string, Setting<unknown>>> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Every bad value of a start, one message a line. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

/** The values of `specs` from `env`; throws a SettingsError with every problem. */
export function parseWith<S extends Record<string, Setting<unknown>>>(specs: S, env: Environment): ValuesOf<S> {
  const shape = Object.fromEntries(Object.entries(specs).map(([key, s]) => [key, s.schema]));
  const byKey = Object.fromEntries(Object.entries(specs).map(([key, s]) => [key, env[s.name]]));
  const result = z.object(shape).safeParse(byKey);
  if (!result.success) throw new SettingsError(result.error.issues.map((i) => i.message));
  return result.data as ValuesOf<S>;
}
