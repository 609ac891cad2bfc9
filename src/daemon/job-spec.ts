import type { ContainerContext } from '../../machines/container';
import type { JobSpec } from '../aca/cloud';
import type { RegistryAccess } from './registry-auth';
import { acaResources, type ResourceLimits } from './cpu-memory-pairs';
import type { SecretEnv } from './secrets';

export interface JobDefaults {
  /** The ACA pair a container without CPU or memory limits gets (seed: 1.0 / 2Gi). */
  cpu: number;
  memory: string;
  replicaTimeout: number;
  /** What the environment allows, and the workload profile jobs run on (Consumption profile when unset). */
  limits?: ResourceLimits;
}

/** The image as ACA should pull it, and the environment it already carries. */
export interface ImageRef {
  reference: string;
  env: readonly string[];
}

/** What turns plain values into ACA secrets: the secret env rule, and the registry credentials. */
export interface JobAccess {
  secretEnv?: SecretEnv;
  registry?: RegistryAccess;
}

/**
 * The ACA job for a container's next run. Config was merged with the image at create time,
 * so Entrypoint/Cmd map straight onto ACA's command/args.
 */
export function jobSpecFor(ctx: ContainerContext, image: ImageRef, defaults: JobDefaults, access: JobAccess = {}): JobSpec {
  // The image brings its own environment on ACA; sending ours would replace it with what may be
  // a synthetic guess (e.g. a default PATH), so only what the container changed is sent.
  const imageEnv = new Set(image.env);
  const plain = ctx.config.Env.filter((kv) => !imageEnv.has(kv)).flatMap((kv) => {
    const eq = kv.indexOf('=');
    return eq > 0 ? [{ name: kv.slice(0, eq), value: kv.slice(eq + 1) }] : [];
  });
  const { env, secrets } = access.secretEnv ? access.secretEnv.split(plain) : { env: plain, secrets: [] };
  const registry = access.registry;
  const allSecrets = [...secrets, ...(registry?.secrets ?? [])];
  // Create and update refused what no pair can give, so this cannot throw for a stored container.
  const { pair } = acaResources(ctx.hostConfig, { cpu: defaults.cpu, memory: defaults.memory }, defaults.limits);
  return {
    jobName: ctx.jobName,
    containerId: ctx.id,
    image: image.reference,
    command: ctx.config.Entrypoint?.length ? ctx.config.Entrypoint : undefined,
    args: ctx.config.Cmd?.length ? ctx.config.Cmd : undefined,
    env,
    ...(allSecrets.length && { secrets: allSecrets }),
    ...(registry?.registries.length && { registries: registry.registries }),
    ...(registry?.identity && { identity: registry.identity }),
    cpu: pair.cpu,
    memory: pair.memory,
    ...(defaults.limits?.workloadProfileName && { workloadProfileName: defaults.limits.workloadProfileName }),
    replicaTimeout: defaults.replicaTimeout,
  };
}

/** The variables that name a container in its execution's template on a shared job. */
export const CONTAINER_ID_ENV = 'SOCKERLESS_CONTAINER_ID';
export const CONTAINER_NAME_ENV = 'SOCKERLESS_CONTAINER_NAME';

/**
 * The spec with the container's id and name (without Docker's leading slash) in its env, in
 * place of any the user set: on a shared job an execution's template is the only place ACA's
 * execution API lets the daemon name the container (Jobs_Start takes no tags), and what
 * restore adopts an interrupted start by. The agent strips both from the user's process.
 */
export function withContainerIdentity(spec: JobSpec, id: string, name: string): JobSpec {
  const mine = new Set([CONTAINER_ID_ENV, CONTAINER_NAME_ENV]);
  return {
    ...spec,
    env: [...spec.env.filter((e) => !mine.has(e.name)), { name: CONTAINER_ID_ENV, value: id }, { name: CONTAINER_NAME_ENV, value: name }],
  };
}
