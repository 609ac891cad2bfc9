import { z } from 'zod';
import type { HostConfig } from '../../machines/container';
import { invalidParameter } from '../errdefs';
import { checked } from '../errdefs/checked';

const RESOURCE_FIELDS = [
  'CpuShares', 'Memory', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpusetCpus',
  'CpusetMems', 'MemoryReservation', 'MemorySwap', 'KernelMemory', 'PidsLimit', 'BlkioWeight', 'CpuCount', 'CpuPercent',
] as const;

const restartPolicy = z.object({ Name: z.enum(['', 'no', 'always', 'on-failure', 'unless-stopped']), MaximumRetryCount: z.number().int().min(0).optional() });

/** `POST /containers/{id}/update`: the docker CLI sends every resource field, zero when unchanged. */
export const updateBody = z
  .object({
    RestartPolicy: restartPolicy.nullish(),
    ...Object.fromEntries(RESOURCE_FIELDS.map((f) => [f, z.union([z.number(), z.string()]).nullish()])),
  })
  .loose();

/** The HostConfig fields an update changes, and whether any of them is a resource. */
export function updateFields(body: unknown, autoRemove: boolean): { hostConfig: Partial<HostConfig>; resources: boolean } {
  const b = checked(updateBody, body ?? {}) as Record<string, unknown> & { RestartPolicy?: z.infer<typeof restartPolicy> | null };
  const hostConfig: Partial<HostConfig> = {};
  for (const f of RESOURCE_FIELDS) {
    const v = b[f];
    if (v !== undefined && v !== null && v !== 0 && v !== '') hostConfig[f] = v;
  }
  const resources = Object.keys(hostConfig).length > 0;
  const policy = b.RestartPolicy;
  if (policy && policy.Name !== '') {
    if (policy.Name !== 'on-failure' && policy.MaximumRetryCount) throw invalidParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
    if (autoRemove && policy.Name !== 'no') throw invalidParameter('Restart policy cannot be updated because AutoRemove is enabled for the container');
    hostConfig.RestartPolicy = { Name: policy.Name, MaximumRetryCount: policy.MaximumRetryCount ?? 0 };
  }
  return { hostConfig, resources };
}
