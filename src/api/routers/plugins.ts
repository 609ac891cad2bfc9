import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { notFound, notImplemented } from '../../errdefs';
import { routeTable, type Route } from './route-table';

/** moby's answer for a plugin it does not have (plugin/errors.go). */
const noSuchPlugin = (name: string) => notFound(`plugin "${name}" not found`);

/**
 * `/plugins`: answered as a dockerd with no plugins installed. Listing is empty and every plugin
 * named is missing, so `docker inspect NAME` falls through to "No such object" as with dockerd.
 * Installing one has no meaning for ACA jobs (a plugin is a host-level extension), so it is refused.
 */
const getPluginsList = (c: Context<AppEnv>) => c.json([]);

function refuseInstall(): never {
  throw notImplemented('plugins cannot be installed: containers run as Azure Container Apps jobs, which have no engine plugins');
}

function noSuchPluginNamed(c: Context<AppEnv>): never {
  throw noSuchPlugin(c.req.param('name')!);
}

export const PLUGIN_ROUTES: readonly Route<void>[] = [
  ['GET', '/plugins', getPluginsList],
  ['ALL', '/plugins/pull', refuseInstall],
  ['ALL', '/plugins/create', refuseInstall],
  ['ALL', '/plugins/privileges', refuseInstall],
  ['GET', '/plugins/:name{.+}/json', noSuchPluginNamed],
  ['DELETE', '/plugins/:name{.+}', noSuchPluginNamed],
  ['POST', '/plugins/:name{.+}/:action{enable|disable|push|set|upgrade}', noSuchPluginNamed],
];

export const pluginsRouter = (): Hono<AppEnv> => routeTable(PLUGIN_ROUTES, undefined);
