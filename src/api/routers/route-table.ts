import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';

/** `ALL`: any method (Hono's `app.all`). */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'ALL';

/** A named handler: the request, and what its family's routes are given. */
export type Handler<D> = (c: Context<AppEnv>, deps: D) => Response | Promise<Response>;

/** One endpoint: method, path, handler (moby's `router.NewPostRoute("/containers/{name:.*}/start", r.postContainersStart)`). */
export type Route<D> = readonly [method: Method | readonly Method[], path: string, handler: Handler<D>];

/** A family's route table mounted on a Hono app, in table order. */
export function routeTable<D>(routes: readonly Route<D>[], deps: D): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const [method, path, handler] of routes) {
    const methods: string[] = typeof method === 'string' ? [method] : [...method];
    app.on(methods, path, (c) => handler(c, deps));
  }
  return app;
}
