import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notFound, notImplemented } from '../../errdefs';

/** moby's answer for a plugin it does not have (plugin/errors.go). */
const noSuchPlugin = (name: string) => notFound(`plugin "${name}" not found`);

/**
 * `/plugins`: answered as a dockerd with no plugins installed. Listing is empty and every plugin
 * named is missing, so `docker inspect NAME` falls through to "No such object" as with dockerd.
 * Installing one has no meaning for ACA jobs (a plugin is a host-level extension), so it is refused.
 */
export function pluginsRouter(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/plugins', (c) => c.json([]));
  for (const action of ['pull', 'create', 'privileges']) {
    app.all(`/plugins/${action}`, () => {
      throw notImplemented('plugins cannot be installed: containers run as Azure Container Apps jobs, which have no engine plugins');
    });
  }
  app.get('/plugins/:name{.+}/json', (c) => {
    throw noSuchPlugin(c.req.param('name'));
  });
  app.delete('/plugins/:name{.+}', (c) => {
    throw noSuchPlugin(c.req.param('name'));
  });
  app.post('/plugins/:name{.+}/:action{enable|disable|push|set|upgrade}', (c) => {
    throw noSuchPlugin(c.req.param('name'));
  });
  return app;
}
