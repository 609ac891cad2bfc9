// Issue 19 acceptance: `run -d` immediately followed by `exec` and `cp` succeeds 50 times out of
// 50 with the docker CLI, docker-py and dockerode, all three at once (a loaded machine).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, run, SYSTEM_PYTHON } from '../compat/tools';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

// The acceptance's 50 rounds run in the instant pass; the azure-profile pass (each run waits out
// ACA's scaled scheduling) checks the same race in 5, which keeps the whole CI run under 30 minutes.
const ROUNDS = process.env.SOCKERLESS_SIM_PROFILE === 'azure' ? 5 : 50;
const script = fileURLToPath(new URL('./exec_after_start.py', import.meta.url));
const absentPy = await missing('docker-py');
if (absentPy) console.warn(`the docker-py rounds are skipped: ${absentPy}`);

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startTestDaemon();
  dir = await mkdtemp(join(tmpdir(), 'sockerless-loop-'));
  expect((await d.cli(['pull', 'alpine'])).code).toBe(0);
});
afterAll(async () => {
  await d?.close();
});

async function cliRounds(): Promise<{ ok: number; failures: string[] }> {
  const failures: string[] = [];
  let ok = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const file = join(dir, `cli-${i}`);
    await writeFile(file, `round ${i}\n`);
    const started = await d.cli(['run', '-d', 'alpine', 'sleep', '60']);
    const id = started.stdout.trim();
    const exec = await d.cli(['exec', id, 'echo', 'ok']);
    const cp = await d.cli(['cp', file, `${id}:/tmp/f`]);
    const back = await d.cli(['exec', id, 'cat', '/tmp/f']);
    if (started.code === 0 && exec.stdout === 'ok\n' && exec.code === 0 && cp.code === 0 && back.stdout === `round ${i}\n`) ok++;
    else failures.push(`round ${i}: run ${started.code} ${started.stderr} exec ${exec.code} ${exec.stderr} cp ${cp.code} ${cp.stderr} back ${JSON.stringify(back.stdout)}`);
    await d.cli(['rm', '-f', id]);
  }
  return { ok, failures };
}

/** Output of a dockerode exec, demultiplexed. */
async function execOut(container: import('dockerode').Container, cmd: string[]): Promise<{ code: number | null; out: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  d.docker.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.on('end', resolve));
  return { code: (await exec.inspect()).ExitCode, out: text };
}

async function dockerodeRounds(): Promise<{ ok: number; failures: string[] }> {
  const failures: string[] = [];
  let ok = 0;
  // A tar with one file `f` holding `body` (ustar header, data padded to 512, two zero blocks).
  const tarOf = (body: string) => {
    const header = Buffer.alloc(512);
    header.write('f', 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
    data.write(body);
    return Buffer.concat([header, data, Buffer.alloc(1024)]);
  };
  for (let i = 0; i < ROUNDS; i++) {
    const c = await d.docker.createContainer({ Image: 'alpine', Cmd: ['sleep', '60'] });
    try {
      await c.start();
      const exec = await execOut(c, ['echo', 'ok']);
      await c.putArchive(tarOf(`round ${i}\n`), { path: '/tmp' });
      const back = await execOut(c, ['cat', '/tmp/f']);
      if (exec.code === 0 && exec.out === 'ok\n' && back.out === `round ${i}\n`) ok++;
      else failures.push(`round ${i}: exec ${exec.code} ${JSON.stringify(exec.out)} back ${JSON.stringify(back.out)}`);
    } catch (err) {
      failures.push(`round ${i}: ${(err as Error).message}`);
    } finally {
      await c.remove({ force: true });
    }
  }
  return { ok, failures };
}

describe(`run -d, then at once exec and cp, ${ROUNDS} times with each client, all at once`, () => {
  it(`the docker CLI, dockerode and docker-py succeed ${ROUNDS} times out of ${ROUNDS}`, { timeout: 900_000 }, async () => {
    const py = absentPy
      ? undefined
      : run(SYSTEM_PYTHON, [script, `unix://${d.socket}`, String(ROUNDS)], { timeoutMs: 900_000 }).then((r) => {
          if (r.code !== 0) return { ok: 0, failures: [r.stderr] };
          return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: number; failures: unknown[] };
        });
    const [cli, dockerode, python] = await Promise.all([cliRounds(), dockerodeRounds(), py]);
    expect(cli.failures).toEqual([]);
    expect(cli.ok).toBe(ROUNDS);
    expect(dockerode.failures).toEqual([]);
    expect(dockerode.ok).toBe(ROUNDS);
    if (python) {
      expect(python.failures).toEqual([]);
      expect(python.ok).toBe(ROUNDS);
    }
  });
});
