import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import type { AppEnv, Hijack } from './env';
import { invalidParameter, DockerError } from '../errdefs';
import { BODY_LIMIT } from './limits';

/**
 * Node hands a request with `Connection: Upgrade` to the server's 'upgrade' event with its body
 * unparsed. Every such request goes through the same Hono app, carrying the raw socket in
 * `c.env.hijack`; a route that takes it over (attach, exec start, agent WebSocket) sets `taken`.
 * Routes that don't answer on the socket as plain HTTP.
 */
export function upgradeHandler(app: Hono<AppEnv>) {
  return async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const hijack: Hijack = { socket, head, taken: false };
    socket.on('error', () => socket.destroy());
    let res: Response;
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      res = await app.fetch(new Request(`http://docker${req.url}`, { method: req.method, headers }), {
        incoming: req,
        outgoing: undefined as never,
        hijack,
      });
    } catch (err) {
      // A request target or header Node accepted but the fetch API cannot represent.
      if (hijack.taken) return void socket.destroy();
      res = Response.json({ message: `bad request: ${err instanceof Error ? err.message : String(err)}` }, { status: 400 });
    }
    if (hijack.taken) return;
    await answerOnSocket(socket, res);
  };
}

/**
 * Writes a plain HTTP answer on an upgrade socket. The body is streamed, not buffered: a
 * streaming route (events, wait, logs) asked with `Connection: Upgrade` would otherwise never
 * finish, and its source is cancelled as soon as the client goes away.
 */
async function answerOnSocket(socket: Duplex, res: Response): Promise<void> {
  const lines = [`HTTP/1.1 ${res.status} ${res.statusText || 'Error'}`];
  res.headers.forEach((v, k) => k !== 'content-length' && k !== 'transfer-encoding' && lines.push(`${k}: ${v}`));
  lines.push('connection: close', '', '');
  if (socket.destroyed) return void (await res.body?.cancel().catch(() => {}));
  socket.write(lines.join('\r\n'));
  if (!res.body) return void socket.end();
  const reader = res.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  // Not a hijacked stream: a client that half-closes has sent all it will and is gone for good
  // (the server keeps half-open sockets, so waiting for 'close' alone would hold it forever).
  socket.once('close', cancel).once('end', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || socket.destroyed) break;
      socket.write(value);
    }
  } catch {
    // the source failed mid-stream; the connection ends here
  } finally {
    socket.off('close', cancel).off('end', cancel);
    if (!socket.destroyed) socket.end();
    cancel();
  }
}

/**
 * Reads the body Node left unparsed on an upgraded request, keeping any bytes after it. A
 * `length` that is not a size, or over the body limit, is refused before anything is read; a
 * client that goes away before sending `length` bytes gets its socket closed and a 400.
 */
export async function readUpgradeBody(h: Hijack, length: number): Promise<Buffer> {
  if (!Number.isSafeInteger(length) || length < 0) throw invalidParameter(`invalid Content-Length: ${length}`);
  if (length > BODY_LIMIT) throw new DockerError('tooLarge', `request body too large: ${length} bytes (the limit is ${BODY_LIMIT} bytes)`);
  let buf = h.head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      if (h.socket.destroyed || h.socket.readableEnded) return resolve(null);
      const onData = (d: Buffer) => (cleanup(), resolve(d));
      const onEnd = () => (cleanup(), resolve(null));
      const cleanup = () => (h.socket.off('data', onData), h.socket.off('end', onEnd), h.socket.off('close', onEnd));
      h.socket.on('data', onData).on('end', onEnd).on('close', onEnd);
      h.socket.resume();
    });
    if (!chunk) {
      h.socket.destroy();
      throw invalidParameter(`the request body ended after ${buf.length} of ${length} bytes`);
    }
    buf = Buffer.concat([buf, chunk]);
  }
  h.socket.pause();
  if (buf.length > length) h.socket.unshift(buf.subarray(length));
  h.head = Buffer.alloc(0);
  return buf.subarray(0, length);
}

/** Takes the socket over and answers `101 UPGRADED` as dockerd does. */
export function takeOver(h: Hijack, contentType: string): Duplex {
  // A client that left mid-upgrade: refuse before the route starts any work for it.
  if (h.socket.destroyed || !h.socket.writable) throw invalidParameter('the client closed the connection');
  h.taken = true;
  h.socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  return h.socket;
}
