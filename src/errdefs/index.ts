/**
 * The daemon's one error vocabulary: every refusal carries a kind, as moby's `errdefs` do
 * (`errdefs.InvalidParameter`, `errdefs.NotFound`, …). The kinds say what went wrong, not how
 * it travels: the HTTP front end (src/api) alone maps a kind to a status. Pure: no imports.
 */
export const ERROR_KINDS = [
  'invalidParameter',
  'notFound',
  'conflict',
  'forbidden',
  'unauthorized',
  'notModified',
  'notImplemented',
  'unavailable',
  'system',
  // No moby kind: a request body over the daemon's size limit (dockerd streams bodies and has none).
  'tooLarge',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** An error with a kind; its message is the text the client sees (`{"message": ...}`). */
export class DockerError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const isDockerError = (err: unknown): err is DockerError => err instanceof DockerError;

export const invalidParameter = (message: string) => new DockerError('invalidParameter', message);
export const notFound = (message: string) => new DockerError('notFound', message);
export const conflict = (message: string) => new DockerError('conflict', message);
export const forbidden = (message: string) => new DockerError('forbidden', message);
export const unauthorized = (message: string) => new DockerError('unauthorized', message);
export const notImplemented = (message: string) => new DockerError('notImplemented', message);
export const unavailable = (message: string) => new DockerError('unavailable', message);
export const system = (message: string) => new DockerError('system', message);
export const tooLarge = (message: string) => new DockerError('tooLarge', message);
