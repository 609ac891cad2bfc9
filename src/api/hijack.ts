import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import type { AppEnv, Hijack } from './env';

/**
 * Node hands a request with `Connection: Upgrade` to the server's 'upgrade' event with its body
 * unparsed. Every such request goes through the same Hono app, carrying the raw socket in
 * `c.env.hijack`; a route that takes it over (attach, exec start, agent WebSocket) sets `taken`.
 * Routes that don't answer on the socket as plain HTTP.
 */
export function upgradeHandler(app: Hono<AppEnv>) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const hijack: Hijack = { socket, head, taken: false };
    socket.on('error', () => socket.destroy());
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const res = await app.fetch(new Request(`http://docker${req.url}`, { method: req.method, headers }), {
      incoming: req,
      outgoing: undefined as never,
      hijack,
    });
    if (hijack.taken) return;
    const body = Buffer.from(await res.arrayBuffer());
    const lines = [`HTTP/1.1 ${res.status} ${res.statusText || 'Error'}`];
    res.headers.forEach((v, k) => lines.push(`${k}: ${v}`));
    lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
    socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), body]));
  };
}

/** Reads the body Node left unparsed on an upgraded request, keeping any bytes after it. */
export async function readUpgradeBody(h: Hijack, length: number): Promise<Buffer> {
  let buf = h.head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (d: Buffer) => (cleanup(), resolve(d));
      const onEnd = () => (cleanup(), resolve(null));
      const cleanup = () => (h.socket.off('data', onData), h.socket.off('end', onEnd), h.socket.off('close', onEnd));
      h.socket.on('data', onData).on('end', onEnd).on('close', onEnd);
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  h.socket.pause();
  if (buf.length > length) h.socket.unshift(buf.subarray(length));
  h.head = Buffer.alloc(0);
  return buf.subarray(0, length);
}

/** Takes the socket over and answers `101 UPGRADED` as dockerd does. */
export function takeOver(h: Hijack, contentType: string): Duplex {
  h.taken = true;
  h.socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  return h.socket;
}
