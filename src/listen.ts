import { chmod, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './api/env';
import { upgradeHandler } from './api/hijack';

/** A `-H` address: `tcp://host:port` or `unix:///path/to.sock`. */
export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseAddress(value: string): ListenAddress {
  if (value.startsWith('unix://')) return { kind: 'unix', path: value.slice('unix://'.length) };
  const m = /^(?:tcp:\/\/)?([^:/]*):(\d+)$/.exec(value);
  if (!m) throw new Error(`invalid -H address ${JSON.stringify(value)}: use tcp://HOST:PORT or unix:///PATH`);
  return { kind: 'tcp', host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

export interface Listener {
  /** The address as a DOCKER_HOST value (with the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

/** Serves the app on one address, with hijacked upgrades going through the same app. */
export async function listen(app: Hono<AppEnv>, address: ListenAddress): Promise<Listener> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.on('upgrade', upgradeHandler(app));
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
    url = `tcp://${address.host}:${port}`;
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
