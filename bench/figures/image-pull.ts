// image_pull_ms and run_latency_cached_image_ms: a busybox-static image made here is pushed to a
// loopback docker-registry; the first `docker run --rm <image> true` pulls and unpacks it in the
// simulator (cold), the later ones find it in the layer cache. Both beside the spawned baseline.
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { makeRootfs, missingForKind, pushRootfs } from '../../test/helpers/images';
import { startRegistry } from '../../test/compat/registry';
import { dockerRunRm } from '../client';
import type { BenchContext } from '../context';
import { atMost, round, type Figure } from '../figure';
import { spawnLikeSimulator } from '../spawn-baseline';
import { median, percentile } from '../stats';

export async function imagePull(ctx: BenchContext, runs: number): Promise<Figure[]> {
  const missing = missingForKind('busybox') ?? (hasCommand('docker-registry') ? undefined : 'docker-registry');
  if (missing) {
    const skipped = (name: string): Figure => ({ name, value: null, unit: 'ms', samples: 0, note: `not measured: needs Debian's ${missing}` });
    return [skipped('image_pull_ms'), skipped('run_latency_cached_image_ms')];
  }
  const registry = await startRegistry('', '');
  const rootfs = makeRootfs('busybox');
  try {
    const image = await pushRootfs(registry.host, 'bench/busybox', 'v1', rootfs);
    const sizeKiB = round(image.size / 1024, 0);
    // The daemon's own pull reads no layers; the simulator pulls them when the job runs.
    await new Promise<void>((resolve, reject) =>
      ctx.docker.pull(image.reference, (err: Error | null, stream: NodeJS.ReadableStream) =>
        err ? reject(err) : ctx.docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())),
      ),
    );
    const first = await dockerRunRm(ctx.docker, image.reference, ['true']);
    if (first.statusCode !== 0) throw new Error(`first docker run --rm ${image.reference} true exited ${first.statusCode}: ${first.output}`);
    const cached: number[] = [];
    const spawned: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await dockerRunRm(ctx.docker, image.reference, ['true']);
      if (run.statusCode !== 0) throw new Error(`docker run --rm ${image.reference} true exited ${run.statusCode}: ${run.output}`);
      cached.push(run.ms);
      spawned.push((await spawnLikeSimulator(ctx.plan, ['true'], ctx.spawner)).ms);
    }
    const warm = median(cached);
    const spawn = median(spawned);
    const ratio = warm / spawn;
    return [
      {
        name: 'image_pull_ms',
        value: round(first.ms - warm, 1),
        unit: 'ms',
        samples: 1,
        comparison: { label: 'cold run', value: round(first.ms, 1), unit: 'ms' },
        note: `first run minus the cached median; one layer of ${sizeKiB} KiB (busybox-static, gzip) from a loopback docker-registry, verified and unpacked`,
      },
      {
        name: 'run_latency_cached_image_ms',
        value: round(warm, 1),
        unit: 'ms',
        samples: runs,
        comparison: { label: 'spawn', value: round(spawn, 1), unit: 'ms' },
        target: atMost(round(ratio, 2), 2.0),
        note: `ratio ${round(ratio, 2)}x vs spawn (run_ratio_vs_spawn's target); p95 ${round(percentile(cached, 95), 1)} ms; the image's own root, layers from the cache`,
        detail: { samplesMs: cached.map((x) => round(x, 1)), spawnSamplesMs: spawned.map((x) => round(x, 1)) },
      },
    ];
  } finally {
    await registry.close();
    rmSync(rootfs, { recursive: true, force: true });
  }
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
