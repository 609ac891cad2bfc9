import type { UsageSample } from '../../../agent/proc-table';
import type { ProbeResult } from '../../../agent/protocol';
import { ArchiveFailure } from '../../../daemon/agent/archive-call';
import type { AgentLink } from '../../../daemon/agent/link';
import { DockerError, notImplemented } from '../../../errdefs';
import { bool } from '../../query';
import { containerOf, type ContainerRoutes, type ContainersContext } from './deps';

const ZERO_TIME = '0001-01-01T00:00:00Z';
const THROTTLING = { periods: 0, throttled_periods: 0, throttled_time: 0 };
/** Docker's interval between two samples of a stats stream. */
const SAMPLE_MS = 1000;

/** ACA's memory quantity (`2Gi`, `0.5Gi`, `512Mi`) in bytes. */
export function quantityBytes(q: string): number {
  const m = /^([\d.]+)\s*(Gi|Mi|Ki|G|M|K)?$/.exec(q.trim());
  if (!m) return 0;
  const unit = { Gi: 1024 ** 3, Mi: 1024 ** 2, Ki: 1024, G: 1e9, M: 1e6, K: 1e3 }[m[2] ?? ''] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

interface Timed {
  at: string;
  sample: UsageSample;
}

const cpuStats = (s: UsageSample | undefined) =>
  s
    ? {
        cpu_usage: { total_usage: Math.round(s.user + s.kernel), usage_in_kernelmode: Math.round(s.kernel), usage_in_usermode: Math.round(s.user) },
        system_cpu_usage: Math.round(s.system),
        online_cpus: s.onlineCpus,
        throttling_data: THROTTLING,
      }
    : { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: THROTTLING };

/** One Docker stats object (API 1.44 shape); `limit` is the memory ACA gives the replica. */
function statsBody(id: string, name: string, now: Timed | undefined, pre: Timed | undefined, limit: number) {
  const s = now?.sample;
  const blk = (op: string, value: number) => ({ major: 0, minor: 0, op, value });
  return {
    name,
    id,
    read: now?.at ?? ZERO_TIME,
    preread: pre?.at ?? ZERO_TIME,
    pids_stats: s ? { current: s.pids } : {},
    blkio_stats: {
      io_service_bytes_recursive: s ? [blk('read', s.read), blk('write', s.written)] : null,
      io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null,
      io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(s),
    precpu_stats: cpuStats(pre?.sample),
    memory_stats: s ? { usage: s.memory, stats: {}, limit } : {},
    ...(s && { networks: s.networks }),
  };
}

function unwrap<K extends 'top' | 'stats'>(result: ProbeResult, key: K): Extract<ProbeResult, Record<K, unknown>>[K] {
  if ('error' in result) throw new DockerError('system', `the agent could not read the container's processes: ${result.error}`);
  if (!(key in result)) throw new DockerError('system', 'the agent answered something else');
  return (result as unknown as Record<K, never>)[key];
}

const unavailable = (err: unknown) => {
  if (err instanceof ArchiveFailure) return new DockerError('conflict', `${err.message}; try again`);
  return err;
};

/**
 * `docker top` and `docker stats` through the agent, which reads /proc in the replica (ACA itself
 * reports neither processes nor usage per execution): the container's processes, their CPU time,
 * resident memory against the memory ACA gives the replica, PIDs, network and block I/O.
 */
export async function getContainersTop(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const psArgs = c.req.query('ps_args');
  if (psArgs && psArgs !== '-ef') {
    throw notImplemented(`top with ps options (${psArgs}) is not supported: the agent reads /proc itself, as \`ps -ef\` shows it, since the image may have no ps`);
  }
  const link = await d.backend.agentLink(ref, 'top', c.req.raw.signal);
  const result = await link.probe('top').catch((err) => {
    throw unavailable(err);
  });
  return c.json(unwrap(result, 'top'));
}

export async function getContainersStats(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const ctx = ref.getSnapshot().context;
  const stream = c.req.query('stream') === undefined ? true : bool(c.req.query('stream'));
  const oneShot = bool(c.req.query('one-shot'));
  const limit = quantityBytes(d.backend.jobMemory(ctx.id) ?? '0');
  // A container that does not run has nothing to sample: dockerd answers zeros.
  if (!ref.getSnapshot().matches('running')) return c.json(statsBody(ctx.id, ctx.name, undefined, undefined, 0));
  const link = await d.backend.agentLink(ref, 'stats', c.req.raw.signal);
  const sample = async (l: AgentLink): Promise<Timed> => ({ at: new Date().toISOString(), sample: unwrap(await l.probe('stats'), 'stats') });
  const first = await sample(link).catch((err) => {
    throw unavailable(err);
  });
  if (!stream) {
    if (oneShot) return c.json(statsBody(ctx.id, ctx.name, first, undefined, limit));
    // As dockerd: a second sample a period later, so the CPU figures have a base.
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const second = await sample(link).catch(() => undefined);
    return c.json(second ? statsBody(ctx.id, ctx.name, second, first, limit) : statsBody(ctx.id, ctx.name, first, undefined, limit));
  }
  const signal = c.req.raw.signal;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let pre: Timed | undefined;
      let now: Timed | undefined = first;
      while (now && !signal.aborted) {
        controller.enqueue(encoder.encode(`${JSON.stringify(statsBody(ctx.id, ctx.name, now, pre, limit))}\n`));
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
        pre = now;
        now = link.connected ? await sample(link).catch(() => undefined) : undefined;
      }
      controller.close();
    },
  });
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}
