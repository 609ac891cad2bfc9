/** How the container chart should treat a failed cloud call. */
export type CloudErrorKind = 'not-found' | 'conflict' | 'throttled' | 'transient' | 'fatal';

const transientNetworkCodes = new Set([
  'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/** The code of a Log Analytics answer that lacks some rows (HTTP 200 with an error beside the tables). */
export const PARTIAL_ERROR = 'PartialError';

/** What @azure/core-lro throws when an operation's status monitor says Failed: `… failed. <code>. <message>`. */
const LRO_FAILED = 'The long-running operation has failed';

/**
 * A Failed operation that no retry gets past. Azure reports template, image, quota and
 * authorization errors asynchronously too: the PUT or start was accepted, the operation then
 * fails with e.g. `ContainerAppInvalidEnvVarName`, `InvalidTemplate`, `ImagePullFailure` or
 * "Maximum Allowed Cores exceeded". Trying those again only delays the user's answer by minutes.
 * Other codes (`ContainerAppOperationError`, `InternalServerError`, …) may pass on another try.
 */
const PERMANENT_OPERATION_CODE =
  /^(ContainerAppInvalid|Invalid|ContainerAppSecret|ManagedEnvironmentInvalid)|ImagePull|Validation|BadRequest|NotFound|AuthorizationFailed|Unauthorized|Forbidden|Quota|Cores/i;
// `ContainerAppOperationError` says nothing by itself; its message does: "Failed to provision …
// The following field(s) are either invalid or missing. Field 'template.containers.main.image' is
// invalid with details: '…: UNAUTHORIZED: authentication required'" (or MANIFEST_UNKNOWN).
const PERMANENT_OPERATION_MESSAGE = /Maximum Allowed Cores exceeded|unable to pull image|invalid character|either invalid or missing|UNAUTHORIZED|MANIFEST_UNKNOWN|NAME_UNKNOWN/i;

/** The Azure error code inside a failed LRO's message; undefined when it carries none. */
export function failedOperationCode(message: string): string | undefined {
  if (!message.startsWith(LRO_FAILED)) return undefined;
  return /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\. /.exec(message)?.[1];
}

/**
 * Kind of a failure from its HTTP status, or from a network error code when there is no status.
 * An operation ARM accepted and then reported Failed is worth another try unless Azure says why
 * in a way no retry changes (PERMANENT_OPERATION_CODE).
 */
export function classifyCloudFailure(statusCode?: number, code?: string, message = ''): CloudErrorKind {
  if (statusCode === undefined) {
    if (message.startsWith(LRO_FAILED)) {
      const operationCode = failedOperationCode(message) ?? '';
      return PERMANENT_OPERATION_CODE.test(operationCode) || PERMANENT_OPERATION_MESSAGE.test(message) ? 'fatal' : 'transient';
    }
    if (code === PARTIAL_ERROR) return 'transient';
    return code !== undefined && transientNetworkCodes.has(code) ? 'transient' : 'fatal';
  }
  if (statusCode === 404) return 'not-found';
  if (statusCode === 409) return 'conflict';
  if (statusCode === 429) return 'throttled';
  if (statusCode === 408) return 'transient';
  // 501/505 mean "never going to work", as the SDK's own retry policy treats them.
  if (statusCode >= 500 && statusCode !== 501 && statusCode !== 505) return 'transient';
  return 'fatal';
}

/** A failed Azure call, naming the operation and the job it was for. */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly kind: CloudErrorKind;

  constructor(
    readonly operation: string,
    readonly target: string,
    message: string,
    readonly statusCode?: number,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${target} failed: ${message}`, options);
    this.kind = classifyCloudFailure(statusCode, code, message);
  }
}

export function isCloudError(err: unknown): err is CloudError {
  return err instanceof CloudError;
}

/** Worth asking again later: throttling, timeouts, 5xx, dropped connections. */
export function isRetryable(err: unknown): boolean {
  return isCloudError(err) && (err.kind === 'throttled' || err.kind === 'transient');
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404 || (isCloudError(err) && err.kind === 'not-found');
}

/** The HTTP status of an SDK RestError (or anything shaped like one). */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

/** Wraps an SDK failure as a CloudError; aborts and existing CloudErrors pass through. */
export function toCloudError(err: unknown, operation: string, target: string): unknown {
  if (isCloudError(err) || isAbort(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CloudError(operation, target, message, statusOf(err), codeOf(err), { cause: err });
}
