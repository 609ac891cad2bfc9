// `docker build` (the CLI's legacy builder path) against a daemon on the embedded simulator.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../compat/tools';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

const dockerfile = `# A multi-stage build: the first stage's RUN and the COPY from it are not executed here.
ARG BASE=alpine
FROM \${BASE}:3.20 AS builder
ENV BUILD_ONLY=1
RUN echo compiling > /out
WORKDIR /src

FROM alpine AS final
ARG GREETING=hello
ARG BASE
LABEL org.example.title="sockerless test" \\
      base=$BASE
ENV GREETING=$GREETING APP_HOME=/app
WORKDIR $APP_HOME
COPY --from=builder /out /app/out
EXPOSE 8080 9000-9001/udp
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo \\"$GREETING from $APP_HOME\\""]
`;

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startTestDaemon();
  dir = await mkdtemp(join(tmpdir(), 'sockerless-build-'));
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  await writeFile(join(dir, 'Broken.Dockerfile'), 'FROM alpine\nFRM alpine\n');
  await writeFile(join(dir, 'app.txt'), 'context files travel in the tar but are not copied\n');
});
afterAll(async () => {
  await d?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = async (image: string) => JSON.parse((await d.cli(['inspect', image])).stdout)[0].Config;

describe('docker build', { timeout: 120_000 }, () => {
  it('builds a multi-stage Dockerfile into an image config, says which steps did not run, and docker run runs its command', async () => {
    const built = await d.cli(['build', '-t', 'x', '--build-arg', 'GREETING=hi', '--label', 'built-by=test', dir]);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain('Step 1/17 : ARG BASE=alpine');
    expect(built.stdout).toContain('Step 2/17 : FROM ${BASE}:3.20 AS builder');
    expect(built.stdout).toContain(' ---> RUN not executed: Sockerless ACA builds image configs only; run steps need a registry build (ACR Tasks)');
    expect(built.stdout).toContain(' ---> COPY not executed: Sockerless ACA builds image configs only');
    expect(built.stdout).toContain('Step 17/17 : LABEL "built-by"="test"');
    expect(built.stdout).toMatch(/Successfully built [0-9a-f]{12}\n/);
    expect(built.stdout).toContain('Successfully tagged x:latest');
    const id = /Successfully built ([0-9a-f]{12})/.exec(built.stdout)![1]!;

    const image = JSON.parse((await d.cli(['inspect', 'x'])).stdout)[0];
    expect(image.Id.slice('sha256:'.length, 'sha256:'.length + 12)).toBe(id);
    expect(image.Config).toMatchObject({
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo "$GREETING from $APP_HOME"'],
      WorkingDir: '/app',
      Labels: { 'org.example.title': 'sockerless test', base: 'alpine', 'built-by': 'test' },
      ExposedPorts: { '8080/tcp': {}, '9000/udp': {}, '9001/udp': {} },
      StopSignal: 'SIGINT',
    });
    expect(image.Config.Env).toEqual(expect.arrayContaining(['GREETING=hi', 'APP_HOME=/app']));
    expect(image.Config.Env.some((e: string) => e.startsWith('BUILD_ONLY='))).toBe(false);
    expect(image.Comment).toContain('RUN, COPY and ADD steps were not executed');

    const run = await d.cli(['run', '--rm', 'x']);
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0, stdout: 'hi from /app\n' });

    const history = await d.cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'x']);
    expect(history.stdout).toContain('COPY --from=builder /out /app/out|COPY not executed by Sockerless ACA');
  });

  it('DOCKER_BUILDKIT=0 takes the same legacy path', async () => {
    const r = await run('docker', ['build', '-t', 'x-legacy', dir], { env: { DOCKER_HOST: `unix://${d.socket}`, DOCKER_BUILDKIT: '0', HOME: dir } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('DEPRECATED');
    expect(r.stdout).toContain('Successfully tagged x-legacy:latest');
    expect((await config('x-legacy')).Cmd).toEqual(['echo "$GREETING from $APP_HOME"']);
  });

  it('--target stops at a stage; -q prints only the id; a rebuild gives the same id', async () => {
    const target = await d.cli(['build', '-q', '--target', 'builder', '-t', 'x-builder', dir]);
    expect(target.code).toBe(0);
    expect(target.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await config('x-builder')).toMatchObject({ WorkingDir: '/src', Env: expect.arrayContaining(['BUILD_ONLY=1']) });
    const again = await d.cli(['build', '-q', '--target', 'builder', dir]);
    expect(again.stdout).toBe(target.stdout);
    const missing = await d.cli(['build', '--target', 'nope', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failed to reach build target nope in Dockerfile');
  });

  it('a broken or missing Dockerfile fails the build with the reason', async () => {
    const broken = await d.cli(['build', '-f', join(dir, 'Broken.Dockerfile'), dir]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('unknown instruction: FRM');
    const empty = await mkdtemp(join(tmpdir(), 'sockerless-build-empty-'));
    await writeFile(join(empty, 'README'), 'no Dockerfile here\n');
    const none = await d.docker.buildImage({ context: empty, src: ['README'] }, { t: 'never' });
    const lines = await new Promise<Array<{ error?: string }>>((resolve) =>
      d.docker.modem.followProgress(none, (err: Error | null, out: Array<{ error?: string }>) => (err ? resolve([{ error: err.message }]) : resolve(out)), () => {}),
    );
    await rm(empty, { recursive: true, force: true });
    expect(lines.at(-1)?.error).toContain('Cannot locate specified Dockerfile: Dockerfile');
    expect((await d.cli(['image', 'inspect', 'never'])).code).toBe(1);
  });
});
