import { describe, expect, it } from 'vitest';
import { AUTH_ROUTES } from '../../src/api/routers/auth';
import { BUILD_ROUTES } from '../../src/api/routers/build';
import { CONTAINER_ROUTES } from '../../src/api/routers/containers';
import { EXEC_ROUTES } from '../../src/api/routers/exec';
import { IMAGE_ROUTES } from '../../src/api/routers/images';
import { NETWORK_ROUTES } from '../../src/api/routers/networks';
import { NOT_BUILT_ROUTES } from '../../src/api/routers/not-built';
import { PLUGIN_ROUTES } from '../../src/api/routers/plugins';
import type { Route } from '../../src/api/routers/route-table';
import { SYSTEM_ROUTES } from '../../src/api/routers/system';
import { VOLUME_ROUTES } from '../../src/api/routers/volumes';

const TABLES: Record<string, readonly Route<never>[]> = {
  containers: CONTAINER_ROUTES,
  exec: EXEC_ROUTES,
  images: IMAGE_ROUTES,
  networks: NETWORK_ROUTES,
  volumes: VOLUME_ROUTES,
  system: SYSTEM_ROUTES,
  auth: AUTH_ROUTES,
  build: BUILD_ROUTES,
  plugins: PLUGIN_ROUTES,
  'not built': NOT_BUILT_ROUTES,
};

const endpoints = (routes: readonly Route<never>[]) => routes.flatMap(([method, path]) => [method].flat().map((m) => `${m} ${path}`));

describe('route tables', () => {
  it('every endpoint is on one line only, across all families', () => {
    const all = Object.values(TABLES).flatMap(endpoints);
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter((e, i) => all.indexOf(e) !== i)).toEqual([]);
  });

  it('every handler is a named function (stack traces and the table name it)', () => {
    const unnamed = Object.entries(TABLES).flatMap(([family, routes]) => routes.filter(([, , handler]) => !handler.name || handler.name === 'anonymous').map(([m, p]) => `${family}: ${m} ${p}`));
    expect(unnamed).toEqual([]);
  });

  it("the containers family has moby's container endpoints that ACA can answer or refuse", () => {
    expect(endpoints(CONTAINER_ROUTES)).toEqual(
      expect.arrayContaining([
        'POST /containers/create', 'GET /containers/json', 'GET /containers/:id/json', 'POST /containers/:id/start', 'POST /containers/:id/stop',
        'POST /containers/:id/restart', 'POST /containers/:id/kill', 'POST /containers/:id/wait', 'DELETE /containers/:id', 'GET /containers/:id/logs',
        'POST /containers/:id/attach', 'HEAD /containers/:id/archive', 'GET /containers/:id/archive', 'PUT /containers/:id/archive', 'POST /containers/prune',
      ]),
    );
  });
});
