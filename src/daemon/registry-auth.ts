// Registry credentials for the jobs: what a client gave (X-Registry-Auth on create or pull, or
// `docker login`) becomes the job's `registries` entry, its password an ACA secret; with a
// managed identity configured, Azure Container Registry images are pulled with it instead.
import { registryDomain, type CredentialStore } from '../images/credentials';
import { parseReference } from '../images/reference';
import type { RegistryAuth } from '../images/registry';

/** ACA's RegistryCredentials (arm-appcontainers 4.0.0 `configuration.registries[]`). */
export interface RegistryEntry {
  server: string;
  username?: string;
  passwordSecretRef?: string;
  identity?: string;
}

/** What a job needs to pull its image: registries, the secrets they name, and the identity to assign. */
export interface RegistryAccess {
  registries: RegistryEntry[];
  secrets: Array<{ name: string; value: string }>;
  /** `system` or a user-assigned identity's resource id; the job must carry it. */
  identity?: string;
}

const NONE: RegistryAccess = { registries: [], secrets: [] };

/** Hosts a managed identity can pull from: Azure Container Registry. */
const isAcr = (domain: string) => /\.azurecr\.(io|cn|us)$/.test(domain.replace(/:\d+$/, ''));

export interface RegistryAuthOptions {
  /** `docker login` (`POST /auth`) credentials. */
  logins: CredentialStore;
  /** SOCKERLESS_ACA_REGISTRY_IDENTITY: `system` or a user-assigned identity's resource id. */
  identity?: string;
}

export class RegistryCredentials {
  readonly #logins: CredentialStore;
  readonly #identity: string | undefined;
  /** X-Registry-Auth sent with a container's create, by container id. */
  readonly #byContainer = new Map<string, RegistryAuth>();
  /** X-Registry-Auth a pull brought, by registry: what `docker run` pulled with is what its job needs. */
  readonly #byPull = new Map<string, RegistryAuth>();

  constructor(options: RegistryAuthOptions) {
    this.#logins = options.logins;
    this.#identity = options.identity;
  }

  rememberForContainer(containerId: string, auth: RegistryAuth | undefined): void {
    if (auth) this.#byContainer.set(containerId, { ...auth });
  }

  rememberPull(reference: string, auth: RegistryAuth | undefined): void {
    if (auth) this.#byPull.set(parseReference(reference).domain, { ...auth });
  }

  forget(containerId: string): void {
    this.#byContainer.delete(containerId);
  }

  /** The access the job of `containerId` needs to pull `image` (a reference as ACA gets it). */
  access(containerId: string, image: string): RegistryAccess {
    return this.#access(image, containerId);
  }

  /**
   * The access for an image the daemon itself puts in jobs (the agent's): the managed identity
   * for ACR, else the daemon's `docker login` or a pull's credentials for that registry, never
   * what a client sent for its own container's image.
   */
  daemonImageAccess(image: string): RegistryAccess {
    return this.#access(image);
  }

  #access(image: string, containerId?: string): RegistryAccess {
    let domain: string;
    try {
      domain = registryDomain(parseReference(image).domain);
    } catch {
      return NONE;
    }
    if (this.#identity && isAcr(domain)) {
      return { registries: [{ server: domain, identity: this.#identity }], secrets: [], identity: this.#identity };
    }
    const auth = (containerId !== undefined ? this.#byContainer.get(containerId) : undefined) ?? this.#byPull.get(domain) ?? this.#logins.get(domain);
    if (!auth?.username || !auth.password) return NONE;
    const secret = `registry-${domain.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
    return {
      registries: [{ server: domain, username: auth.username, passwordSecretRef: secret }],
      secrets: [{ name: secret, value: auth.password }],
    };
  }
}

/** Two accesses in one job: registries by server and secrets by name, each once. */
export function mergeAccess(a: RegistryAccess, b: RegistryAccess): RegistryAccess {
  const registries = [...a.registries, ...b.registries.filter((r) => !a.registries.some((x) => x.server === r.server))];
  const secrets = [...a.secrets, ...b.secrets.filter((s) => !a.secrets.some((x) => x.name === s.name))];
  const identity = a.identity ?? b.identity;
  return { registries, secrets, ...(identity && { identity }) };
}
