import type { ContainerContext } from '../../machines/container';
import type { JobSpec } from '../aca/cloud';

export interface JobDefaults {
  cpu: number;
  memory: string;
  replicaTimeout: number;
}

/**
 * The ACA job for a container's next run. Config was merged with the image at create time,
 * so Entrypoint/Cmd map straight onto ACA's command/args.
 */
export function jobSpecFor(ctx: ContainerContext, image: string, defaults: JobDefaults): JobSpec {
  const env = ctx.config.Env.flatMap((kv) => {
    const eq = kv.indexOf('=');
    return eq > 0 ? [{ name: kv.slice(0, eq), value: kv.slice(eq + 1) }] : [];
  });
  return {
    jobName: ctx.jobName,
    containerId: ctx.id,
    image,
    command: ctx.config.Entrypoint?.length ? ctx.config.Entrypoint : undefined,
    args: ctx.config.Cmd?.length ? ctx.config.Cmd : undefined,
    env,
    cpu: defaults.cpu,
    memory: defaults.memory,
    replicaTimeout: defaults.replicaTimeout,
  };
}
