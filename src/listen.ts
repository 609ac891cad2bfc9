import { chmod, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv4 } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './api/env';
import { upgradeHandler } from './api/hijack';

/** A `-H` address: `tcp://host:port` or `unix:///path/to.sock`. */
export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseAddress(value: string): ListenAddress {
  if (value.startsWith('unix://')) return { kind: 'unix', path: value.slice('unix://'.length) };
  const m = /^(?:tcp:\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/[\]]*):(\d+)$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new Error(`invalid -H address ${JSON.stringify(value)}: use tcp://HOST:PORT or unix:///PATH`);
  return { kind: 'tcp', host: m[1]!.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: Number(m[2]) };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || (isIPv4(h) && h.startsWith('127.'));
}

/** The daemon's TLS material, as dockerd's `--tls`/`--tlsverify` flags give it. */
export interface TlsOptions {
  cert: Buffer | string;
  key: Buffer | string;
  /** The CA client certificates must chain to; required when `verify`. */
  ca?: Buffer | string;
  /** Mutual TLS: every client must present a certificate signed by `ca`. */
  verify: boolean;
}

export interface ListenOptions {
  /** TLS for TCP listeners (a unix socket is guarded by its file mode, as with dockerd). */
  tls?: TlsOptions;
  /** Listen on a non-loopback TCP address without mutual TLS anyway (`--insecure-listen`). */
  insecure?: boolean;
  /** Largest request head in bytes; Node's default is 16 KiB, registry auth headers can be more. */
  maxHeaderSize?: number;
}

export interface Listener {
  /** The address as a DOCKER_HOST value (with the real port when 0 was asked). */
  url: string;
  /** Open client connections, hijacked ones included (a leak shows here). */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/** Why a TCP address may not be served as asked, or undefined when it may. */
export function refusal(address: ListenAddress, opts: ListenOptions): string | undefined {
  if (address.kind !== 'tcp' || isLoopback(address.host) || opts.tls?.verify || opts.insecure) return undefined;
  const where = `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  return (
    `refusing to listen on ${where} without --tlsverify: it is not a loopback address, and anyone who can reach it ` +
    `could run containers with this daemon's Azure identity. Use --tlsverify --tlscacert --tlscert --tlskey (mutual TLS), ` +
    `a loopback address or a unix socket, or pass --insecure-listen to accept the risk.`
  );
}

const statusText: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

/** Node's own answer to a request it cannot parse, in Docker's error shape instead of an empty 400. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
  // An answer to HEAD has no body (a client would read one as garbage after the head).
  const head = (err as { rawPacket?: Buffer }).rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
  const body = head ? '' : JSON.stringify({ message: `${statusText[status]}: ${err.code ?? err.message}` });
  socket.end(`HTTP/1.1 ${status} ${statusText[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The HTTP(S) server of the app: its requests, hijacked upgrades and Docker-shaped parse errors. */
function apiServer(app: Hono<AppEnv>, maxHeaderSize = 64 * 1024, tls?: TlsOptions): Server {
  const honoListener = getRequestListener(app.fetch, {
    hostname: 'docker', // clients may leave out Host (dockerd does not look at it)
    errorHandler: (err) => Response.json({ message: `bad request: ${err instanceof Error ? err.message : String(err)}` }, { status: err instanceof RequestError ? 400 : 500 }),
  });
  // dockerd ignores Host (the CLI sends `api.moby.localhost` on a unix socket); one the URL
  // parser rejects (`.5`, say) would fail the request deep inside the adapter, so it is replaced.
  const requestListener = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const host = incoming.headers.host;
    if (host !== undefined && !URL.canParse(`http://${host}/`)) incoming.headers.host = 'docker';
    return honoListener(incoming, outgoing);
  };
  const server: Server = tls
    ? createHttpsServer(
        // allowHalfOpen as http.Server has it: the CLI half-closes a hijacked stream at stdin EOF.
        { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.verify, rejectUnauthorized: tls.verify, minVersion: 'TLSv1.2', maxHeaderSize, requireHostHeader: false, allowHalfOpen: true },
        requestListener,
      )
    : createHttpServer({ maxHeaderSize, requireHostHeader: false }, requestListener);
  server.on('upgrade', upgradeHandler(app));
  server.on('clientError', onClientError);
  return server;
}

/**
 * The app served on streams handed to it rather than on a listener: the Docker socket an agent
 * serves inside a container (each connection there reaches the daemon as such a stream).
 */
export function inProcessApi(app: Hono<AppEnv>): { serve(stream: Duplex): void; close(): void } {
  const server = apiServer(app);
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  const streams = new Set<Duplex>();
  return {
    serve: (stream) => {
      streams.add(stream);
      stream.once('close', () => streams.delete(stream));
      server.emit('connection', stream);
    },
    close: () => {
      for (const stream of streams) stream.destroy();
    },
  };
}

/** Serves the app on one address, with hijacked upgrades going through the same app. */
export async function listen(app: Hono<AppEnv>, address: ListenAddress, opts: ListenOptions = {}): Promise<Listener> {
  const refused = refusal(address, opts);
  if (refused) throw new Error(refused);
  const server = apiServer(app, opts.maxHeaderSize, address.kind === 'tcp' ? opts.tls : undefined);
  // Hijacked sockets leave the HTTP server's bookkeeping; keep every socket to end them at close.
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Docker clients hold connections open for wait/attach/logs; never time them out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  if (address.kind === 'unix') await rm(address.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (address.kind === 'unix') server.listen(address.path, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  let url: string;
  if (address.kind === 'unix') {
    await chmod(address.path, 0o660);
    url = `unix://${address.path}`;
  } else {
    const port = (server.address() as { port: number }).port;
    url = `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`;
  }
  return {
    url,
    connections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
