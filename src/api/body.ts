import type { Context } from 'hono';
import type { z } from 'zod';
import { checked } from '../errdefs/checked';

/**
 * The request's JSON body checked against `schema`: Docker's 400 naming the issues when it does
 * not fit. A body that is absent or not JSON is read as `absent` (undefined unless the endpoint
 * treats it as an empty object, as `docker volume create` with no options sends nothing).
 */
export async function readBody<T>(c: Context, schema: z.ZodType<T>, absent?: unknown): Promise<T> {
  return checked(schema, await c.req.json().catch(() => absent));
}
