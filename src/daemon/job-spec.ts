import type { ContainerContext } from '../../machines/container';
import type { JobSpec } from '../aca/cloud';

export interface JobDefaults {
  cpu: number;
  memory: string;
  replicaTimeout: number;
}

/** The image as ACA should pull it, and the environment it already carries. */
export interface ImageRef {
  reference: string;
  env: readonly string[];
}

/**
 * The ACA job for a container's next run. Config was merged with the image at create time,
 * so Entrypoint/Cmd map straight onto ACA's command/args.
 */
export function jobSpecFor(ctx: ContainerContext, image: ImageRef, defaults: JobDefaults): JobSpec {
  // The image brings its own environment on ACA; sending ours would replace it with what may be
  // a synthetic guess (e.g. a default PATH), so only what the container changed is sent.
  const imageEnv = new Set(image.env);
  const env = ctx.config.Env.filter((kv) => !imageEnv.has(kv)).flatMap((kv) => {
    const eq = kv.indexOf('=');
    return eq > 0 ? [{ name: kv.slice(0, eq), value: kv.slice(eq + 1) }] : [];
  });
  return {
    jobName: ctx.jobName,
    containerId: ctx.id,
    image: image.reference,
    command: ctx.config.Entrypoint?.length ? ctx.config.Entrypoint : undefined,
    args: ctx.config.Cmd?.length ? ctx.config.Cmd : undefined,
    env,
    cpu: defaults.cpu,
    memory: defaults.memory,
    replicaTimeout: defaults.replicaTimeout,
  };
}
