import { randomBytes } from 'node:crypto';
import type { ContainerConfig, ContainerInput, Healthcheck, HostConfig } from '../../../../machines/container';
import type { ImageRecord } from '../../../images/types';
import { invalidParameter } from '../../../errdefs';
import type { CreateBody } from './create-body';

const envKey = (kv: string) => kv.split('=', 1)[0]!;

/**
 * The container's config as Docker stores it: the request merged with the image's defaults. What
 * it takes from `image` (the stored record, not a copy) is copied, strings apart.
 */
export function containerInput(body: CreateBody, name: string, image: Readonly<ImageRecord>): ContainerInput {
  const id = randomBytes(32).toString('hex');
  const img = image.Config;
  let { Cmd: cmd = null, Entrypoint: entrypoint } = body;
  if (!entrypoint?.length) {
    if (!cmd?.length) cmd = img.Cmd && [...img.Cmd];
    // `--entrypoint ""` sends [] and clears the image's entrypoint; absent (null) keeps it.
    if (entrypoint == null) entrypoint = img.Entrypoint && [...img.Entrypoint];
  }
  if (!cmd?.length && !entrypoint?.length) throw invalidParameter('No command specified');

  const userEnv = body.Env ?? [];
  const userKeys = new Set(userEnv.map(envKey));
  const config: ContainerConfig = {
    Hostname: body.Hostname || id.slice(0, 12),
    Domainname: body.Domainname ?? '',
    User: body.User || img.User,
    AttachStdin: body.AttachStdin ?? false,
    AttachStdout: body.AttachStdout ?? false,
    AttachStderr: body.AttachStderr ?? false,
    Tty: body.Tty ?? false,
    OpenStdin: body.OpenStdin ?? false,
    StdinOnce: body.StdinOnce ?? false,
    Env: [...img.Env.filter((kv) => !userKeys.has(envKey(kv))), ...userEnv],
    Cmd: cmd?.length ? cmd : null,
    Entrypoint: entrypoint?.length ? entrypoint : null,
    Image: body.Image,
    WorkingDir: body.WorkingDir || img.WorkingDir,
    Labels: { ...(img.Labels ?? {}), ...(body.Labels ?? {}) },
    ExposedPorts: body.ExposedPorts ?? (img.ExposedPorts ? structuredClone(img.ExposedPorts) : null),
    ...(body.StopSignal || img.StopSignal ? { StopSignal: body.StopSignal || img.StopSignal } : {}),
    ...(body.StopTimeout != null ? { StopTimeout: body.StopTimeout } : {}),
    ...healthcheckOf(body.Healthcheck, img.Healthcheck),
  };
  const hc = body.HostConfig ?? {};
  const hostConfig: HostConfig = {
    ...hc,
    AutoRemove: hc.AutoRemove ?? false,
    RestartPolicy: { Name: hc.RestartPolicy?.Name || 'no', MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 },
    NetworkMode: !hc.NetworkMode || hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode,
  };
  return { id, name, created: new Date().toISOString(), imageId: image.Id, config, hostConfig };
}

type HealthcheckBody = NonNullable<CreateBody['Healthcheck']>;

/**
 * moby's merge of the create's health check with the image's (daemon/commit.go merge): an empty
 * Test and zero durations take the image's values.
 */
function healthcheckOf(given: HealthcheckBody | undefined | null, image: ImageRecord['Config']['Healthcheck']): { Healthcheck?: Healthcheck } {
  if (!given && !image) return {};
  const hc: Healthcheck = { Test: given?.Test?.length ? [...given.Test] : [...(image?.Test ?? [])] };
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    const value = given?.[key] || image?.[key];
    if (value) hc[key] = value;
  }
  return { Healthcheck: hc };
}
