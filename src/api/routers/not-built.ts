import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notImplemented } from '../../errdefs';
import { routeTable, type Route } from './route-table';

// API families not built yet. Each answers 501 naming what is missing, never a fake success.
const families: Array<[prefix: string, what: string]> = [
  ['/session', 'BuildKit sessions'],
  ['/grpc', 'BuildKit'],
  ['/swarm', 'swarm mode'],
  ['/services', 'swarm services'],
  ['/nodes', 'swarm nodes'],
  ['/tasks', 'swarm tasks'],
  ['/secrets', 'swarm secrets'],
  ['/configs', 'swarm configs'],
  ['/distribution', 'registry distribution inspection'],
  ['/commit', 'commit'],
];

function notBuilt(what: string) {
  return function notBuiltYet(): never {
    throw notImplemented(`${what} is not implemented yet`);
  };
}

export const NOT_BUILT_ROUTES: readonly Route<void>[] = families.flatMap(([prefix, what]): Route<void>[] => [
  ['ALL', prefix, notBuilt(what)],
  ['ALL', `${prefix}/*`, notBuilt(what)],
]);

export const notBuiltRouter = (): Hono<AppEnv> => routeTable(NOT_BUILT_ROUTES, undefined);
