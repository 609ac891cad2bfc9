import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';

import type { Certificate } from './certificate';
import { ServiceError, badRequest, notFound } from './errors';
import type { TokenRegistry } from './identity';
import { SUPPORTED_API_VERSIONS, sameName } from './ids';
import type { SimulatorSettings } from './options';
import type { RouteSpec } from './routing';
import type { StatsCounter } from './stats';

export interface AppParts {
  settings: SimulatorSettings;
  tokens: TokenRegistry;
  stats: StatsCounter;
  routes: RouteSpec[];
  /** Unauthenticated, uncounted routes under /_simulator. */
  admin: Record<string, (c: Context) => Response>;
}

/** ARM's own checks before an operation runs: api-version, subscription, resource group. */
function checkArmScope(c: Context, settings: SimulatorSettings): void {
  const apiVersion = c.req.query('api-version');
  if (!apiVersion) throw badRequest('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  if (!SUPPORTED_API_VERSIONS.has(apiVersion)) {
    throw badRequest('InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${[...SUPPORTED_API_VERSIONS].join(',')}'.`);
  }
  const subscription = c.req.param('subscriptionId');
  if (subscription !== undefined && !sameName(subscription, settings.subscriptionId)) {
    throw notFound('SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
  }
  const group = c.req.param('resourceGroupName');
  if (group !== undefined && !sameName(group, settings.resourceGroup)) {
    throw notFound('ResourceGroupNotFound', `Resource group '${group}' could not be found.`);
  }
}

export function buildApp(parts: AppParts): Hono {
  const { settings, tokens, stats } = parts;
  const app = new Hono();

  for (const [path, handle] of Object.entries(parts.admin)) app.get(`/_simulator/${path}`, handle);

  for (const route of parts.routes) {
    app.on(route.method, route.path, async (c) => {
      stats.count(route.operation, route.kind);
      if (route.audience !== 'none') tokens.authorize(c.req.header('authorization'), route.audience);
      if (route.audience === 'arm') checkArmScope(c, settings);
      return route.handle(c);
    });
  }

  app.notFound((c) => c.json(notFound('NotFound', `The simulator serves no ${c.req.method} ${new URL(c.req.url).pathname}.`).toBody(), 404));
  app.onError((err, c) => {
    if (err instanceof ServiceError) return c.json(err.toBody(), err.status);
    settings.logger.warn({ err: err.message, method: c.req.method, path: new URL(c.req.url).pathname }, 'simulator request failed');
    return c.json({ error: { code: 'InternalServerError', message: err.message } }, 500);
  });
  return app;
}

/** Listens with HTTPS on host:port and resolves with the server and the port it got. */
export async function listenHttps(app: Hono, settings: SimulatorSettings, certificate: Certificate): Promise<{ server: Server; port: number }> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    createServer,
    serverOptions: { key: certificate.key, cert: certificate.cert },
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes the server, dropping kept-alive SDK connections instead of waiting for them. */
export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
