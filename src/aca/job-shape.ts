// Which containers can share one ACA job, and under which name. A shared job holds only the
// job-level settings; each `docker start` is one Jobs_Start with the container's own template.
import { createHash } from 'node:crypto';
import type { JobSpec } from './cloud';

/** The tag a shared job carries instead of `sockerless-container-id`: its shape key. */
export const SHAPE_TAG = 'sockerless-job-shape';
/** Shared job names: `sockerless-s-` and 16 hex digits of the shape key (ACA allows 32 characters). */
export const SHARED_JOB_PREFIX = 'sockerless-s-';

/** Secrets a shared job holds for every execution: registry passwords and the agent key. */
export interface ShareableSecrets {
  /** Names of secrets that are job-level by nature (the same for every container of the shape). */
  jobLevel: ReadonlySet<string>;
}

/**
 * Why a spec cannot run on a shared job, or undefined when it can.
 * - Secret environment variables (SOCKERLESS_SECRET_ENV): their values are per container, and ACA
 *   keeps secrets on the job, so sharing would put one container's secret where another's
 *   execution can reference it, and every start with a new value would be a job PUT anyway.
 * - EmptyDir volumes (the agent's init-container injection): a JobExecutionTemplate's containers
 *   carry no volumeMounts, so an execution started with a template could not mount them.
 */
export function unshareableReason(spec: JobSpec, jobLevelSecrets: ReadonlySet<string>): string | undefined {
  if (spec.volumes?.length) return 'it mounts Docker volumes, which an execution template cannot carry';
  if (spec.sharedDirs?.length) return 'its containers mount EmptyDir volumes, which an execution template cannot carry';
  const own = (spec.secrets ?? []).filter((s) => !jobLevelSecrets.has(s.name));
  if (own.length) return 'it has secret environment variables, which ACA keeps on the job';
  return undefined;
}

/**
 * The key of a spec's job-level settings: everything ACA keeps on the job rather than in an
 * execution's template. Secret values enter only as a digest. Two specs with the same key can
 * run on the same job; anything per execution (image, command, args, env, resources, init
 * containers) is left out.
 */
export function jobShapeKey(spec: JobSpec, environmentId: string): string {
  const secretDigest = (value: string) => createHash('sha256').update(value).digest('hex');
  const settings = {
    environmentId,
    replicaTimeout: spec.replicaTimeout,
    workloadProfileName: spec.workloadProfileName ?? null,
    identity: spec.identity ?? null,
    registries: [...(spec.registries ?? [])]
      .map((r) => ({ server: r.server, username: r.username ?? null, passwordSecretRef: r.passwordSecretRef ?? null, identity: r.identity ?? null }))
      .sort((a, b) => a.server.localeCompare(b.server)),
    secrets: [...(spec.secrets ?? [])].map((s) => ({ name: s.name, value: secretDigest(s.value) })).sort((a, b) => a.name.localeCompare(b.name)),
    volumes: [...(spec.sharedDirs ?? [])].map((d) => d.name).sort(),
    dockerVolumes: (spec.volumes ?? []).length,
    tags: Object.entries(spec.tags ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

export function sharedJobName(shapeKey: string): string {
  return `${SHARED_JOB_PREFIX}${shapeKey.slice(0, 16)}`;
}
