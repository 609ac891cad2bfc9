import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error answered as `{"error":{"code","message"}}`, the shape both ARM and Log Analytics use
 * (the Azure SDKs build RestError.code and .message from it).
 */
/** Log Analytics nests them: SemanticError, then SEM0100 with the detail. */
export interface InnerError {
  code: string;
  message: string;
  innererror?: InnerError;
}

export class ServiceError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Log Analytics puts the parser's complaint here. */
    readonly innererror?: InnerError,
  ) {
    super(message);
  }

  toBody(): { error: { code: string; message: string; innererror?: InnerError } } {
    const error: { code: string; message: string; innererror?: InnerError } = {
      code: this.code,
      message: this.message,
    };
    if (this.innererror) error.innererror = this.innererror;
    return { error };
  }
}

export const badRequest = (code: string, message: string) => new ServiceError(400, code, message);
export const notFound = (code: string, message: string) => new ServiceError(404, code, message);
export const conflict = (code: string, message: string) => new ServiceError(409, code, message);
export const unauthorized = (code: string, message: string) => new ServiceError(401, code, message);
