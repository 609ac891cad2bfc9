import type { ContainerSpec, JobBody } from './job-schema';

/**
 * A registry the simulator treats as private, as ACA meets one: a replica can pull its images
 * only when the job has a `registries` entry for it with a password secret that matches (or any,
 * when none is configured) or a managed identity that may pull. Every other registry is public.
 */
export interface PrivateRegistry {
  /** Host, with port if any: `myacr.azurecr.io`, `registry.example:5000`. */
  server: string;
  username?: string;
  password?: string;
  /** Managed identities allowed to pull (`system` or a resource id); any identity when omitted. */
  identities?: string[];
  /**
   * strictValidation: how long after a job's creation its system-assigned identity holds AcrPull
   * here (someone grants the role once the identity exists); default never.
   */
  systemIdentityGrantDelayMs?: number;
}

/** When a pull happens, for the rules of strictValidation. */
export interface PullContext {
  /** The job's creation time (ms): its system-assigned identity exists only from then. */
  jobCreatedAt: number;
  now: number;
}

interface RegistryEntry {
  server?: string;
  username?: string;
  passwordSecretRef?: string;
  identity?: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

const normalise = (host: string) => {
  const h = host.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return DOCKER_HUB.has(h) ? 'docker.io' : h;
};

/** The registry host of an image reference (Docker's rule: a first component with `.` or `:`, or `localhost`). */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? normalise(first) : 'docker.io';
}

/** Where a job's `passwordSecretRef` names no secret the job defines; ARM refuses such a job. */
export function missingRegistrySecret(body: JobBody): string | undefined {
  const { secrets = [], registries } = body.properties.configuration as { secrets?: { name: string }[]; registries?: RegistryEntry[] };
  const entry = (registries ?? []).find((r) => r.passwordSecretRef !== undefined && !secrets.some((s) => s.name === r.passwordSecretRef));
  return entry && `Registry '${entry.server}' references secret '${entry.passwordSecretRef}', which the job does not define.`;
}

function assignedIdentities(body: JobBody): string[] {
  const identity = (body as { identity?: { type?: string; userAssignedIdentities?: Record<string, unknown> } }).identity;
  const type = identity?.type ?? '';
  return [...(type.includes('SystemAssigned') ? ['system'] : []), ...Object.keys(identity?.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())];
}

/**
 * Why a replica cannot pull `container.image`, in the words containerd gives ACA; undefined when
 * it can. Anonymous pulls of a private registry fail to get a token; wrong credentials too.
 */
export function pullFailure(
  container: ContainerSpec,
  body: JobBody,
  privateRegistries: readonly PrivateRegistry[],
  strict?: PullContext,
): string | undefined {
  const host = imageRegistry(container.image);
  const registry = privateRegistries.find((r) => normalise(r.server) === host);
  if (!registry) return undefined;
  const { secrets = [], registries = [] } = body.properties.configuration as { secrets?: { name: string; value?: string }[]; registries?: RegistryEntry[] };
  const entry = registries.find((r) => r.server !== undefined && normalise(r.server) === host);
  const failed = (how: string) =>
    `Failed to pull image "${container.image}": failed to resolve reference "${container.image}": failed to authorize: ${how}: unexpected status: 401 Unauthorized`;
  if (!entry) return failed('failed to fetch anonymous token');
  if (entry.identity !== undefined) {
    const id = entry.identity.toLowerCase();
    const allowed = !registry.identities || registry.identities.some((i) => i.toLowerCase() === id);
    if (!assignedIdentities(body).includes(id) || !allowed) return failed(`managed identity '${entry.identity}' cannot pull from ${host}`);
    if (id === 'system' && strict && strict.now < strict.jobCreatedAt + (registry.systemIdentityGrantDelayMs ?? Infinity)) return systemIdentityNotGranted(entry.server ?? host);
    return undefined;
  }
  const password = secrets.find((s) => s.name === entry.passwordSecretRef)?.value;
  const matches =
    entry.username !== undefined && password !== undefined &&
    (registry.username === undefined || registry.username === entry.username) &&
    (registry.password === undefined || registry.password === password);
  return matches ? undefined : failed('failed to fetch oauth token');
}

/**
 * A system-assigned identity exists only once its job does, so no AcrPull grant can precede the
 * job's first pulls: they fail until someone grants the role (microsoft/azure-container-apps#836
 * and #646, hashicorp/terraform-provider-azurerm#21242). The wording is the one those reports quote.
 */
function systemIdentityNotGranted(server: string): string {
  return `unable to pull image using Managed identity system for registry ${server}`;
}

/** The username and password of the job's `registries` entry for the image's registry, if any. */
export function registryCredentials(body: JobBody, image: string): { username: string; password: string } | undefined {
  const host = imageRegistry(image);
  const { secrets = [], registries = [] } = body.properties.configuration as { secrets?: { name: string; value?: string }[]; registries?: RegistryEntry[] };
  const entry = registries.find((r) => r.server !== undefined && normalise(r.server) === host);
  if (!entry?.username || entry.passwordSecretRef === undefined) return undefined;
  const password = secrets.find((s) => s.name === entry.passwordSecretRef)?.value;
  return password === undefined ? undefined : { username: entry.username, password };
}
