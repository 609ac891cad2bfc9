import type { z } from 'zod';
import { invalidParameter } from './index';

/**
 * The value if `schema` accepts it, else an invalid-parameter error naming every issue
 * (`HostConfig.Memory: expected number; Env.0: expected string`), Docker's 400.
 */
export function checked<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidParameter(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}
