import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { authFromConfig, registryDomain, type CredentialStore } from '../../images/credentials';
import { verifyLogin } from '../../images/login';
import type { RegistryOptions } from '../../images/registry';
import { readBody } from '../body';
import { routeTable, type Route } from './route-table';
import type { AppEnv } from '../env';
import { invalidParameter, DockerError } from '../../errdefs';

export interface AuthDeps {
  credentials: CredentialStore;
  registry?: RegistryOptions;
}

const body = z
  .object({
    username: z.string().nullish(),
    password: z.string().nullish(),
    auth: z.string().nullish(),
    email: z.string().nullish(),
    serveraddress: z.string().nullish(),
    identitytoken: z.string().nullish(),
    registrytoken: z.string().nullish(),
  })
  .loose();

/**
 * `POST /auth` (`docker login`): checks the credentials against the registry and keeps them, in
 * memory, for pulls that bring none. "Login Succeeded" only when the registry confirmed them.
 */
export async function postAuth(c: Context<AppEnv>, deps: AuthDeps) {
  const auth = authFromConfig(await readBody(c, body));
  if (auth.identityToken) throw invalidParameter('identity-token logins are not supported: log in with a username and password (or a registry token)');
  if (!auth.username && !auth.registryToken) throw invalidParameter('a username is required to log in');
  const domain = registryDomain(auth.serverAddress);
  const credentials = { ...(auth.username ? { username: auth.username } : {}), ...(auth.password ? { password: auth.password } : {}), ...(auth.registryToken ? { registryToken: auth.registryToken } : {}) };
  const outcome = await verifyLogin(domain, credentials, deps.registry);
  if (outcome.kind === 'rejected') throw new DockerError('unauthorized', outcome.message);
  deps.credentials.set(domain, credentials);
  if (outcome.kind === 'verified') return c.json({ Status: 'Login Succeeded', IdentityToken: '' });
  return c.json({ Status: `Credentials for ${domain} stored but not verified (${outcome.reason}); pulls with SOCKERLESS_FETCH_IMAGE_CONFIG=true will use them`, IdentityToken: '' });
}

export const AUTH_ROUTES: readonly Route<AuthDeps>[] = [['POST', '/auth', postAuth]];

export const authRouter = (deps: AuthDeps): Hono<AppEnv> => routeTable(AUTH_ROUTES, deps);
