import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notImplemented } from '../../errdefs';

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

export function notBuiltRouter(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const [prefix, what] of families) {
    app.all(prefix, () => {
      throw notImplemented(`${what} is not implemented yet`);
    });
    app.all(`${prefix}/*`, () => {
      throw notImplemented(`${what} is not implemented yet`);
    });
  }
  return app;
}
