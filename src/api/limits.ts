import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { invalidParameter, DockerError } from '../errdefs';

/** The largest JSON request body (create, exec, network and volume bodies are a few KiB). */
export const BODY_LIMIT = 4 * 1024 * 1024;
/** The largest declared upload on a streamed route; chunked uploads are the route's to bound. */
export const UPLOAD_LIMIT = 16 * 1024 ** 3;
/**
 * The deepest nesting of `[`/`{` accepted in a body. Real Docker bodies nest under 10; a deeper
 * one would be stored and later break `JSON.stringify` (inspect) with a stack overflow.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Routes whose body is a stream of bytes, not JSON (tar build contexts, archives, image tars).
 * They are exempt from the JSON limits by route, here, and read their body as a stream.
 */
export const STREAMED_UPLOADS: ReadonlyArray<{ method: string; path: RegExp; what: string }> = [
  { method: 'POST', path: /^\/build$/, what: 'build context' },
  { method: 'PUT', path: /^\/containers\/[^/]+\/archive$/, what: 'archive (docker cp)' },
  { method: 'POST', path: /^\/images\/load$/, what: 'image tarball' },
];

const tooLarge = (size: number | string, limit: number) =>
  new DockerError('tooLarge', `request body too large: ${size} bytes (the limit is ${limit} bytes)`);

/** Depth of `[`/`{` nesting outside JSON strings; stops counting once past `max`. */
export function jsonDepth(bytes: Uint8Array, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Bounds every request body: JSON routes get {@link BODY_LIMIT} and {@link MAX_JSON_DEPTH}
 * (the body is read here, once, and handed on); streamed uploads only have their declared
 * length checked against {@link UPLOAD_LIMIT}. Answers 413/400 in Docker's error shape.
 */
export function bodyLimits(): MiddlewareHandler<AppEnv> {
  return async function bodyLimits(c, next) {
    // No GET or HEAD route reads a body. Asking for `raw.body` would make the Node adapter build a
    // full fetch Request (with an AbortController) for each of them, a /_ping too: under load those
    // wait for finalization and the daemon's memory grew by hundreds of MB a minute.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get('content-length');
    const length = declared === null || raw.headers.has('transfer-encoding') ? undefined : Number(declared);
    if (STREAMED_UPLOADS.some((u) => u.method === c.req.method && u.path.test(c.req.path))) {
      if (length !== undefined && length > UPLOAD_LIMIT) throw tooLarge(length, UPLOAD_LIMIT);
      return next();
    }
    if (length !== undefined && length > BODY_LIMIT) throw tooLarge(length, BODY_LIMIT);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > BODY_LIMIT) {
        void reader.cancel().catch(() => {});
        throw tooLarge(`more than ${BODY_LIMIT}`, BODY_LIMIT);
      }
      chunks.push(value);
    }
    const body = Buffer.concat(chunks, size);
    if (jsonDepth(body) > MAX_JSON_DEPTH) throw invalidParameter(`request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    c.req.raw = new Request(raw, { body });
    return next();
  };
}
