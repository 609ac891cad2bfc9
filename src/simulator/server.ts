import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';

import type { ArmThrottler } from './arm-throttle';
import type { Certificate } from './certificate';
import { ServiceError, badRequest, notFound } from './errors';
import { answerWireFault } from './faults';
import type { FaultInjector } from './faults';
import type { TokenRegistry } from './identity';
import { STORAGE_API_VERSIONS, SUPPORTED_API_VERSIONS, sameName } from './ids';
import type { SimulatorSettings } from './options';
import type { RouteSpec } from './routing';
import type { StatsCounter } from './stats';

type AdminHandler = (c: Context) => Response | Promise<Response>;

export interface AppParts {
  settings: SimulatorSettings;
  tokens: TokenRegistry;
  stats: StatsCounter;
  faults: FaultInjector;
  throttle: ArmThrottler;
  routes: RouteSpec[];
  /** Unauthenticated, uncounted routes under /_simulator: a GET handler, or handlers per method. */
  admin: Record<string, AdminHandler | Partial<Record<'GET' | 'PUT' | 'DELETE', AdminHandler>>>;
}

/** ARM's token buckets: a 429 when empty, the remaining count on every answer. */
function throttleArm(c: Context, throttle: ArmThrottler, kind: 'read' | 'write'): Response | undefined {
  const decision = throttle.take(c.req.param('subscriptionId') ?? '', kind);
  if (!decision) return undefined;
  c.header(`x-ms-ratelimit-remaining-subscription-${kind}s`, String(decision.remaining));
  if (decision.allowed) return undefined;
  c.header('Retry-After', String(decision.retryAfterSeconds));
  const message = `Number of '${kind}' requests for subscription '${c.req.param('subscriptionId')}' exceeded. Please try again after '${decision.retryAfterSeconds}' seconds.`;
  return c.json({ error: { code: 'SubscriptionRequestsThrottled', message } }, 429);
}

/** ARM's own checks before an operation runs: api-version, subscription, resource group. */
function checkArmScope(c: Context, settings: SimulatorSettings): void {
  const apiVersion = c.req.query('api-version');
  if (!apiVersion) throw badRequest('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  // Each resource provider has its own versions: Microsoft.Storage's for the volumes' file shares.
  const supported = c.req.path.includes('/providers/Microsoft.Storage/') ? STORAGE_API_VERSIONS : SUPPORTED_API_VERSIONS;
  if (!supported.has(apiVersion)) {
    throw badRequest('InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${[...supported].join(',')}'.`);
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
  const { settings, tokens, stats, faults, throttle } = parts;
  const app = new Hono();

  for (const [path, handlers] of Object.entries(parts.admin)) {
    for (const [method, handle] of Object.entries(typeof handlers === 'function' ? { GET: handlers } : handlers)) {
      app.on(method, `/_simulator/${path}`, handle);
    }
  }

  for (const route of parts.routes) {
    app.on(route.method, route.path, async (c) => {
      stats.count(route.operation, route.kind);
      const fault = faults.decide(route);
      const faulted = fault && (await answerWireFault(c, fault));
      if (faulted) return faulted;
      if (route.audience !== 'none') tokens.authorize(c.req.header('authorization'), route.audience);
      if (route.audience === 'arm') {
        checkArmScope(c, settings);
        const throttled = route.kind !== 'identity' && throttleArm(c, throttle, route.kind);
        if (throttled) return throttled;
      }
      return route.handle(c, fault && route.faultHooks?.includes(fault.kind) ? fault.kind : undefined);
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
