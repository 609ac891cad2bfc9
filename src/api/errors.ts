import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An answer in Docker's error shape: `{"message": "..."}` with an HTTP status. */
export class DockerError extends Error {
  constructor(readonly status: ContentfulStatusCode, message: string) {
    super(message);
  }
}

export const badRequest = (message: string) => new DockerError(400, message);
export const notFound = (message: string) => new DockerError(404, message);
export const conflict = (message: string) => new DockerError(409, message);
export const notImplemented = (message: string) => new DockerError(501, message);

/** Renders any thrown error as Docker's error JSON; unknown errors become 500. */
export function renderError(err: unknown, c: Context) {
  if (err instanceof DockerError) return c.json({ message: err.message }, err.status);
  const message = err instanceof Error ? err.message : String(err);
  return c.json({ message }, 500);
}
