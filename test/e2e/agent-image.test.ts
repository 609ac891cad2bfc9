// The agent injected by image, as on ACA (issue 18): SOCKERLESS_AGENT=image makes the daemon send
// the job an init container from SOCKERLESS_AGENT_IMAGE (pushed here with `agent:push`'s code to a
// loopback docker-registry that wants a login) that copies the agent into an EmptyDir at
// /sockerless; the main container runs /sockerless/agent around the image's own command. The
// simulator runs that job spec in each test image's own root: no libc, musl, glibc.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentArtifact } from '../../scripts/agent/artifact';
import { buildAgentImage, writeLayout } from '../../scripts/agent/image';
import { pushAgentImage } from '../../scripts/agent/push';
import { startRegistry, type TestRegistry } from '../compat/registry';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { makeRootfs, missingForKind, pushRootfs, type RootfsKind } from '../helpers/images';
import { hasTmux, Terminal } from '../helpers/terminal';
import { agentConnected } from './agent-helpers';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const missing = IS_ROOT ? missingForKind('musl') : 'root';
const auth = { username: 'agent-user', password: 'agent-password-18' };
const KINDS: RootfsKind[] = ['busybox', 'musl', 'glibc'];

describe.skipIf(missing !== undefined)(`the agent injected by image${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let d: TestDaemon;
  let registry: TestRegistry;
  let work: string;
  const roots: string[] = [];
  const images = new Map<RootfsKind | 'nonroot', string>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sockerless-agent-image-e2e-'));
    registry = await startRegistry(auth.username, auth.password);
    const artifact = await buildAgentArtifact(join(work, 'artifact'));
    writeLayout(await buildAgentImage(artifact.dir), join(work, 'layout'));
    const agent = await pushAgentImage(`${registry.host}/sockerless/agent:e2e`, join(work, 'layout'), auth);
    for (const kind of KINDS) {
      const root = makeRootfs(kind);
      roots.push(root);
      // stty and tty for the -it test: busybox's applets, or the host's coreutils (they link only libc)
      for (const tool of ['stty', 'tty']) {
        if (kind === 'glibc') copyFileSync(tool === 'stty' ? '/bin/stty' : '/usr/bin/tty', join(root, 'bin', tool));
        else symlinkSync('busybox', join(root, 'bin', tool));
      }
      images.set(kind, (await pushRootfs(registry.host, `e2e/${kind}`, 'v1', root, {}, auth)).reference);
    }
    images.set('nonroot', (await pushRootfs(registry.host, 'e2e/nonroot', 'v1', roots[0]!, { user: '1000:1000', cmd: ['sh', '-c', 'echo "uid=$(id -u)"'] }, auth)).reference);
    // Pinned by digest, as `npm run agent:push` prints it.
    d = await startTestDaemon({ env: { SOCKERLESS_AGENT: 'image', SOCKERLESS_AGENT_IMAGE: `${registry.host}/sockerless/agent@${agent.digest}` } });
    // One login serves both pulls: the test image's and, through the job's registries, the agent's.
    const login = await d.cli(['login', '-u', auth.username, '--password-stdin', registry.host], { input: auth.password });
    if (login.code !== 0) throw new Error(`docker login failed: ${login.stderr}`);
    for (const ref of images.values()) {
      const pull = await d.cli(['pull', ref]);
      if (pull.code !== 0) throw new Error(`docker pull ${ref} failed: ${pull.stderr}`);
    }
  }, 240_000);

  afterAll(async () => {
    await d?.close();
    await registry?.close();
    for (const dir of roots) rmSync(dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const kind of KINDS) {
    describe(`in a ${kind} image`, () => {
      const image = () => images.get(kind)!;

      it("docker run --rm IMAGE sh -c 'exit 3' exits 3, its output through the agent", async () => {
        const r = await d.cli(['run', '--rm', image(), 'sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 60_000 });
        expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
      });

      it('docker exec with stdin, docker cp both ways byte-equal, stop -t 1 of a TERM-ignoring process gives 137', async () => {
        const run = await d.cli(['run', '-d', image(), 'sh', '-c', 'trap "" TERM; while true; do sleep 1; done']);
        expect(run.code).toBe(0);
        const id = run.stdout.trim();
        await agentConnected(d, id);
        const exec = await d.cli(['exec', '-i', id, 'cat'], { input: 'through stdin\n' });
        expect(exec).toMatchObject({ code: 0, stdout: 'through stdin\n' });

        const payload = randomBytes(200_000);
        writeFileSync(join(work, `in-${kind}`), payload);
        expect((await d.cli(['cp', join(work, `in-${kind}`), `${id}:/tmp/payload`])).code).toBe(0);
        expect((await d.cli(['cp', `${id}:/tmp/payload`, join(work, `out-${kind}`)])).code).toBe(0);
        expect(readFileSync(join(work, `out-${kind}`)).equals(payload)).toBe(true);

        expect((await d.cli(['stop', '-t', '1', id])).code).toBe(0);
        expect((await d.cli(['inspect', '-f', '{{.State.ExitCode}}', id])).stdout.trim()).toBe('137');
        await d.cli(['rm', '-f', id]);
      });

      it('docker logs -f follows live output to the end', async () => {
        const run = await d.cli(['run', '-d', image(), 'sh', '-c', 'echo first; sleep 2; echo second']);
        const id = run.stdout.trim();
        await agentConnected(d, id);
        const logs = await d.cli(['logs', '-f', id], { timeoutMs: 60_000 });
        expect(logs).toMatchObject({ code: 0, stdout: 'first\nsecond\n' });
        await d.cli(['rm', '-f', id]);
      });

      it.skipIf(!hasTmux)('docker run -it --rm IMAGE sh in a terminal: the prompt, stty size after a resize, exit 7', async () => {
        const t = new Terminal(work, d.socket, `run-it-${kind}`, ['run', '-it', '--rm', image(), 'sh'], { cols: 91, rows: 26 });
        try {
          await t.waitFor(/[#$] ?$/m);
          t.type('tty -s && echo IS-A-TTY; stty size\n');
          await t.waitFor(/^IS-A-TTY\s*\n26 91\s*$/m);
          t.resize(111, 31);
          const until = Date.now() + 15_000;
          for (;;) {
            t.type('stty size\n');
            await new Promise((r) => setTimeout(r, 300));
            if (/^31 111\s*$/m.test(t.screen())) break;
            if (Date.now() > until) throw new Error(`stty size never showed 31 111:\n${t.screen()}`);
          }
          t.type('exit 7\n');
          expect(await t.exitCode()).toBe(7);
        } finally {
          t.close();
        }
      });
      });
  }

  it('an image whose USER is not root runs the agent, and its command as that user', async () => {
    const r = await d.cli(['run', '--rm', images.get('nonroot')!], { timeoutMs: 60_000 });
    expect(r).toMatchObject({ code: 0, stdout: 'uid=1000\n' });
  });

  it('a zombie left by an orphaned child is reaped while the main process keeps running', async () => {
    const run = await d.cli(['run', '-d', images.get('busybox')!, 'sh', '-c', '(sleep 0.2 &); sleep 60']);
    const id = run.stdout.trim();
    await agentConnected(d, id);
    await new Promise((r) => setTimeout(r, 1_000));
    const ps = await d.cli(['exec', id, 'sh', '-c', 'cat /proc/[0-9]*/stat']);
    expect(ps.code).toBe(0);
    // The main shell and its sleep run; the orphan's sleep has ended and is gone, not a zombie.
    expect(ps.stdout).toMatch(/\(sleep\) S /);
    expect(ps.stdout.split('\n').filter((l) => /^\d+ \(.*\) Z /.test(l))).toEqual([]);
    await d.cli(['rm', '-f', id]);
  });
});
