import { invalidParameter } from '../errdefs';
import { DEFAULT_DOMAIN } from './reference';
import type { RegistryAuth } from './registry';

/** The registry a login names, in the form references use: `docker.io`, `ghcr.io`, `localhost:5000`. */
export function registryDomain(serverAddress: string | undefined): string {
  const host = (serverAddress ?? '').replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  if (host === '' || host === 'index.docker.io' || host === 'registry-1.docker.io' || host === DEFAULT_DOMAIN) return DEFAULT_DOMAIN;
  return host;
}

interface AuthConfigJson {
  username?: unknown;
  password?: unknown;
  auth?: unknown;
  serveraddress?: unknown;
  registrytoken?: unknown;
  identitytoken?: unknown;
}

/** An AuthConfig (`X-Registry-Auth` item or `POST /auth` body) as credentials; `auth` is base64 `user:password`. */
export function authFromConfig(c: AuthConfigJson): RegistryAuth & { serverAddress?: string; identityToken?: string } {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  let username = str(c.username);
  let password = str(c.password);
  const packed = str(c.auth);
  if (!username && packed) {
    const text = Buffer.from(packed, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) [username, password] = [text.slice(0, colon), text.slice(colon + 1)];
  }
  const out: RegistryAuth & { serverAddress?: string; identityToken?: string } = {};
  if (username) out.username = username;
  if (password) out.password = password;
  if (str(c.registrytoken)) out.registryToken = str(c.registrytoken)!;
  if (str(c.identitytoken)) out.identityToken = str(c.identitytoken)!;
  if (str(c.serveraddress)) out.serverAddress = str(c.serveraddress)!;
  return out;
}

function decodeJson(header: string, name: string): unknown {
  try {
    return JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    throw invalidParameter(`invalid ${name} header: expected base64url-encoded JSON`);
  }
}

export const hasCredentials = (a: RegistryAuth | undefined): a is RegistryAuth => !!(a && (a.username || a.registryToken));

/** `X-Registry-Auth`: one AuthConfig; `e30=` (`{}`) and absence both mean "none given". */
export function decodeRegistryAuth(header: string | undefined): RegistryAuth | undefined {
  if (!header) return undefined;
  const json = decodeJson(header, 'X-Registry-Auth');
  if (json === null || typeof json !== 'object') return undefined;
  const auth = authFromConfig(json as AuthConfigJson);
  return hasCredentials(auth) ? auth : undefined;
}

/** `X-Registry-Config` (build): AuthConfigs by registry address. */
export function decodeRegistryConfig(header: string | undefined): Map<string, RegistryAuth> {
  const out = new Map<string, RegistryAuth>();
  if (!header) return out;
  const json = decodeJson(header, 'X-Registry-Config');
  if (json === null || typeof json !== 'object') return out;
  for (const [server, config] of Object.entries(json as Record<string, unknown>)) {
    if (config === null || typeof config !== 'object') continue;
    const auth = authFromConfig(config as AuthConfigJson);
    if (hasCredentials(auth)) out.set(registryDomain(server), auth);
  }
  return out;
}

/** Credentials stored by `POST /auth`, by registry, in memory only: used for pulls that bring none. */
export class CredentialStore {
  readonly #byRegistry = new Map<string, RegistryAuth>();

  set(domain: string, auth: RegistryAuth): void {
    this.#byRegistry.set(domain, { ...auth });
  }

  get(domain: string): RegistryAuth | undefined {
    const a = this.#byRegistry.get(domain);
    return a && { ...a };
  }
}
