import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ServiceError } from '../errors';

/** One entry of ARM's `error.details[]`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * An error in ARM's full shape (the spec's DefaultErrorResponse): `{error:{code, message, target?,
 * details?}}`. The SDK surfaces `code` and `message` on its RestError and keeps the body.
 */
export class ArmError extends ServiceError {
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    readonly target?: string,
    readonly details?: ArmErrorDetail[],
  ) {
    super(status, code, message);
  }

  override toBody(): { error: { code: string; message: string } } {
    const error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details?.length) error.details = this.details;
    return { error };
  }
}

export const invalid = (code: string, message: string, target?: string) => new ArmError(400, code, message, target);
