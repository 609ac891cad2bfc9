// agent_artifact_mb and run_latency_injected_ms: the portable agent (issue 18) built and pushed
// to a loopback docker-registry, then `docker run --rm IMAGE true` of one busybox image from that
// registry on two daemons at once: the bench's own (the local agent) and one with the agent
// injected by image (SOCKERLESS_AGENT=image), alternating so noise hits both alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildAgentArtifact } from '../../scripts/agent/artifact';
import { buildAgentImage, writeLayout } from '../../scripts/agent/image';
import { pushAgentImage } from '../../scripts/agent/push';
import { startRegistry } from '../../test/compat/registry';
import { makeRootfs, missingForKind, pushRootfs } from '../../test/helpers/images';
import { dockerRunRm } from '../client';
import type { BenchContext } from '../context';
import { startDaemonProcess } from '../daemon-process';
import { round, type Figure } from '../figure';
import { median, percentile } from '../stats';

const auth = { username: 'bench', password: 'bench-password' };

async function pull(docker: Docker, reference: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker.pull(reference, { authconfig: { ...auth, serveraddress: reference.split('/')[0] } }, (err: Error | null, stream: NodeJS.ReadableStream | undefined) =>
      err ? reject(err) : docker.modem.followProgress(stream!, (e) => (e ? reject(e) : resolve())),
    ),
  );
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function agentImage(ctx: BenchContext, runs: number, warmup: number): Promise<Figure[]> {
  const missing = missingForKind('busybox') ?? ['docker-registry', 'strip', 'gcc'].find((c) => !hasCommand(c));
  if (missing) {
    return ['agent_artifact_mb', 'run_latency_injected_ms'].map((name) => ({ name, value: null, unit: '', samples: 0, note: `not measured: needs ${missing}` }));
  }
  const work = mkdtempSync(join(tmpdir(), 'sockerless-bench-agent-'));
  const registry = await startRegistry(auth.username, auth.password);
  const rootfs = makeRootfs('busybox');
  let injected: Awaited<ReturnType<typeof startDaemonProcess>> | undefined;
  try {
    const built = performance.now();
    const artifact = await buildAgentArtifact(join(work, 'artifact'));
    const image = await buildAgentImage(artifact.dir);
    writeLayout(image, join(work, 'layout'));
    const buildMs = performance.now() - built;
    const layerBytes = image.layers.reduce((n, l) => n + l.blob.length, 0);

    // The artifact's own start: `agent -- true` with no daemon to dial, beside plain `node -e 0`.
    const starts: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < 6; i++) {
      let t = performance.now();
      if (spawnSync(join(artifact.dir, 'agent'), ['--', 'true']).status !== 0) throw new Error('the artifact did not run `true`');
      if (i > 0) starts.push(performance.now() - t);
      t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      if (i > 0) nodes.push(performance.now() - t);
    }

    const agentRef = (await pushAgentImage(`${registry.host}/sockerless/agent:bench`, join(work, 'layout'), auth)).reference;
    const busybox = (await pushRootfs(registry.host, 'bench/busybox', 'v1', rootfs, {}, auth)).reference;
    ctx.log(`agent image ${agentRef}; starting a second daemon with SOCKERLESS_AGENT=image`);
    injected = await startDaemonProcess({ env: { SOCKERLESS_AGENT: 'image', SOCKERLESS_AGENT_IMAGE: agentRef } });
    const injectedDocker = new Docker({ host: injected.host, port: injected.port });
    await injectedDocker.checkAuth({ ...auth, serveraddress: registry.host });
    await pull(injectedDocker, busybox);
    await pull(ctx.docker, busybox);

    const local: number[] = [];
    const byImage: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const a = await dockerRunRm(ctx.docker, busybox, ['true']);
      if (a.statusCode !== 0) throw new Error(`local agent: docker run --rm ${busybox} true exited ${a.statusCode}: ${a.output}`);
      const b = await dockerRunRm(injectedDocker, busybox, ['true']);
      if (b.statusCode !== 0) throw new Error(`injected agent: docker run --rm ${busybox} true exited ${b.statusCode}: ${b.output}`);
      if (i < warmup) continue;
      local.push(a.ms);
      byImage.push(b.ms);
    }
    return [
      {
        name: 'agent_artifact_mb',
        value: round(artifact.bytes / 1e6, 1),
        unit: 'MB',
        samples: 1,
        comparison: { label: 'image layer gz', value: round(layerBytes / 1e6, 1), unit: 'MB' },
        note: `start of \`agent -- true\` ${round(median(starts), 1)} ms (node -e 0: ${round(median(nodes), 1)} ms); built in ${round(buildMs / 1000, 1)} s`,
        detail: { files: artifact.files, startSamplesMs: starts.map((x) => round(x, 1)) },
      },
      {
        name: 'run_latency_injected_ms',
        value: round(median(byImage), 1),
        unit: 'ms',
        samples: runs,
        comparison: { label: 'local agent', value: round(median(local), 1), unit: 'ms' },
        note: `docker run --rm busybox-static image true; p95 ${round(percentile(byImage, 95), 1)} ms (local ${round(percentile(local, 95), 1)} ms); init container copies the agent every run`,
        detail: { injectedSamplesMs: byImage.map((x) => round(x, 1)), localSamplesMs: local.map((x) => round(x, 1)) },
      },
    ];
  } finally {
    await injected?.stop();
    await registry.close();
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
