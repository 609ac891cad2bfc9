// Figures for issue 3 (the in-job agent), on a daemon with the embedded simulator:
//   1. the time from a line written by a container's process to its arrival at a `docker logs -f`
//      client (median and p90 over LINES lines; the process stamps each line with `date +%s%N`),
//   2. the time of `docker run --rm alpine true` (median of RUNS), with the agent and without.
// Run: node --import tsx bench/agent-latency.ts
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/log';
import { startDaemon, type RunningDaemon } from '../src/start';

const LINES = 250;
const RUNS = 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

async function daemonAt(dir: string, env: NodeJS.ProcessEnv): Promise<{ running: RunningDaemon; docker: (args: string[]) => Promise<string>; host: string }> {
  const socket = join(dir, 'docker.sock');
  const running = await startDaemon({ hosts: [`unix://${socket}`], dataRoot: join(dir, 'data'), env, logger: createLogger('warn') });
  const host = `unix://${socket}`;
  const docker = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('docker', args, { env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: host } }, (err, stdout, stderr) =>
        err ? reject(new Error(`docker ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      ),
    );
  await docker(['pull', '-q', 'alpine']);
  return { running, docker, host };
}

async function logsLatency(d: Awaited<ReturnType<typeof daemonAt>>, dir: string): Promise<number[]> {
  // The process waits for USR1 (delivered through the agent) so the client is following before the first line.
  const script = `trap 'go=1' USR1; while [ -z "$go" ]; do sleep 0.02; done; i=0; while [ $i -lt ${LINES} ]; do echo "$(date +%s%N)"; i=$((i+1)); sleep 0.01; done`;
  const id = (await d.docker(['run', '-d', 'alpine', 'sh', '-c', script])).trim();
  for (;;) {
    const info = JSON.parse(await d.docker(['inspect', id]))[0];
    if (info.Aca.AgentConnected) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const follow = spawn('docker', ['logs', '-f', id], { env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: d.host } });
  const latencies: number[] = [];
  let buffered = '';
  follow.stdout.on('data', (b: Buffer) => {
    const now = Date.now();
    buffered += b.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const stamp = Number(buffered.slice(0, nl)) / 1e6;
      buffered = buffered.slice(nl + 1);
      if (stamp) latencies.push(now - stamp);
    }
  });
  await new Promise((r) => setTimeout(r, 300)); // the client has attached before the first line
  await d.docker(['kill', '-s', 'USR1', id]);
  await new Promise((resolve) => follow.on('exit', resolve));
  await d.docker(['rm', '-f', id]);
  return latencies;
}

async function runTrue(d: Awaited<ReturnType<typeof daemonAt>>): Promise<number[]> {
  const times: number[] = [];
  await d.docker(['run', '--rm', 'alpine', 'true']); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await d.docker(['run', '--rm', 'alpine', 'true']);
    times.push(performance.now() - started);
  }
  return times;
}

const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'bench-agent-')), mkdtemp(join(tmpdir(), 'bench-noagent-'))]);
try {
  const withAgent = await daemonAt(dirs[0], {});
  console.log(`isolation: ${withAgent.running.simulator?.isolationDetail ?? 'n/a'}`);
  const latencies = await logsLatency(withAgent, dirs[0]);
  console.log(`docker logs -f, line written → line at the client: median ${median(latencies).toFixed(1)} ms, p90 ${p90(latencies).toFixed(1)} ms over ${latencies.length} lines`);
  const runs = await runTrue(withAgent);
  console.log(`docker run --rm alpine true, with the agent: median ${median(runs).toFixed(0)} ms (min ${Math.min(...runs).toFixed(0)}, max ${Math.max(...runs).toFixed(0)}) over ${runs.length} runs`);
  await withAgent.running.close();
  const without = await daemonAt(dirs[1], { SOCKERLESS_AGENT: 'off' });
  const plain = await runTrue(without);
  console.log(`docker run --rm alpine true, agent off:     median ${median(plain).toFixed(0)} ms (min ${Math.min(...plain).toFixed(0)}, max ${Math.max(...plain).toFixed(0)}) over ${plain.length} runs`);
  await without.running.close();
} finally {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
