import { Hono } from 'hono';
import type { Logger } from '../log';
import type { AppEnv } from './env';
import { invalidParameter } from '../errdefs';
import { answerError } from './errors';
import { bodyLimits } from './limits';
import { pathOf } from './query';
import { agentRouter } from './routers/agent';
import { execRouter } from './routers/exec';
import { containersBackend, containersRouter, type ContainersDeps } from './routers/containers';
import { authRouter, type AuthDeps } from './routers/auth';
import { buildRouter, type BuildDeps } from './routers/build';
import { imagesRouter } from './routers/images';
import { networksRouter, type NetworksDeps } from './routers/networks';
import { volumesRouter, type VolumesDeps } from './routers/volumes';
import { notBuiltRouter } from './routers/not-built';
import { pluginsRouter } from './routers/plugins';
import { systemRouter, type SystemDeps } from './routers/system';
import { uiRouter, type UiDeps } from '../ui/router';
import { API_VERSION, MIN_API_VERSION } from './version';

export interface AppDeps {
  containers: ContainersDeps;
  system: SystemDeps;
  images: Parameters<typeof imagesRouter>[0];
  networks: NetworksDeps;
  volumes: VolumesDeps;
  build: BuildDeps;
  auth: AuthDeps;
  /** The /ui/ page; absent in tests that build a bare app. */
  ui?: UiDeps;
  logger: Logger;
}

const versionPrefix = /^\/v(\d+)\.(\d+)(?=\/)/;
const [maxMajor, maxMinor] = API_VERSION.split('.').map(Number) as [number, number];
const [minMajor, minMinor] = MIN_API_VERSION.split('.').map(Number) as [number, number];

/** The Docker Engine API: one router per API family, `/vX.Y` prefixes optional. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: (req) => pathOf(req.url).replace(versionPrefix, '') });

  app.use(async (c, next) => {
    const m = versionPrefix.exec(pathOf(c.req.url));
    if (m && (Number(m[1]) > maxMajor || (Number(m[1]) === maxMajor && Number(m[2]) > maxMinor))) {
      throw invalidParameter(`client version ${m[1]}.${m[2]} is too new. Maximum supported API version is ${API_VERSION}`);
    }
    if (m && (Number(m[1]) < minMajor || (Number(m[1]) === minMajor && Number(m[2]) < minMinor))) {
      throw invalidParameter(`client version ${m[1]}.${m[2]} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
    const started = performance.now();
    await next();
    deps.logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(bodyLimits());

  app.route('/', systemRouter(deps.system));
  const backend = containersBackend(deps.containers);
  const { images, resources, hostConfig } = deps.containers;
  app.route('/', containersRouter({ backend, images, resources, ...(hostConfig && { hostConfig }) }));
  app.route('/', agentRouter({ agents: deps.containers.daemon.agents }));
  app.route('/', execRouter(backend));
  app.route('/', imagesRouter(deps.images));
  app.route('/', networksRouter(deps.networks));
  app.route('/', volumesRouter(deps.volumes));
  app.route('/', buildRouter(deps.build));
  app.route('/', authRouter(deps.auth));
  if (deps.ui) app.route('/', uiRouter(deps.ui));
  app.route('/', pluginsRouter());
  app.route('/', notBuiltRouter());

  app.notFound((c) => c.json({ message: 'page not found' }, 404));
  app.onError(answerError(deps.logger));
  return app;
}
