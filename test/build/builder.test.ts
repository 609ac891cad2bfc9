import { describe, expect, it } from 'vitest';
import { build, BuildError, NOT_EXECUTED, type BuildRequest } from '../../src/build/builder';
import { DockerfileError } from '../../src/build/dockerfile';
import { processWord, processWords, WordError } from '../../src/build/shell-words';
import type { ImageRecord } from '../../src/images/types';

const base: ImageRecord = {
  Id: 'sha256:' + 'ab'.repeat(32),
  RepoTags: ['docker.io/library/alpine:latest'],
  RepoDigests: [],
  Created: '2026-01-01T00:00:00Z',
  Size: 0,
  Author: '',
  Comment: '',
  Config: { User: '', Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], Entrypoint: null, WorkingDir: '', Labels: { from: 'base' }, ExposedPorts: null, Volumes: null },
  Architecture: 'amd64',
  Os: 'linux',
  Layers: ['sha256:' + 'cd'.repeat(32)],
  History: [],
  LastTagTime: '2026-01-01T00:00:00Z',
  Origin: 'synthetic',
};

async function run(dockerfile: string, opts: Partial<BuildRequest> = {}) {
  const said: string[] = [];
  const pulled: string[] = [];
  const result = await build(
    { dockerfile, dockerfileName: 'Dockerfile', buildArgs: {}, labels: {}, pull: false, ...opts },
    {
      baseImage: async (ref) => (pulled.push(ref), structuredClone(base)),
      say: (t) => said.push(t),
      now: () => new Date('2026-02-02T00:00:00Z'),
    },
  );
  return { ...result, config: result.body.Config, said: said.join(''), pulled };
}

describe('Dockerfile words', () => {
  const vars = new Map([['A', 'x'], ['E', '']]);
  it('expands $VAR and ${VAR} with the modifiers Docker supports, keeps single quotes literal', () => {
    expect(processWord('$A-${A}_"$A"', vars)).toBe('x-x_x');
    expect(processWord("'$A'", vars)).toBe('$A');
    expect(processWord('\\$A', vars)).toBe('$A');
    expect(processWord('${MISSING:-dflt} ${E:-empty} ${E-set} ${A:+alt} ${MISSING+no}', vars)).toBe('dflt empty  alt ');
    expect(() => processWord('${MISSING:?must be set}', vars)).toThrow(WordError);
    expect(() => processWord('"open', vars)).toThrow(WordError);
    expect(processWords('80 "a b" $A', vars)).toEqual(['80', 'a b', 'x']);
    expect(processWord('`$A', vars, '`')).toBe('$A');
  });
});

describe('build', () => {
  it('carries the base config, applies config instructions, and says RUN/COPY/ADD did not run', async () => {
    const r = await run(`FROM alpine
ENV A=1 B="two words"
ENV C=$A D=\${B}
LABEL version="1.0" from=mine
WORKDIR /app
WORKDIR sub
USER app:app
EXPOSE 80 53/udp
VOLUME ["/data"]
STOPSIGNAL SIGQUIT
RUN make
ADD https://example.org/x /x
COPY . /src
CMD npm start
`);
    expect(r.pulled).toEqual(['alpine']);
    expect(r.config).toEqual({
      User: 'app:app',
      Env: ['PATH=/usr/bin:/bin', 'A=1', 'B=two words', 'C=1', 'D=two words'],
      Cmd: ['/bin/sh', '-c', 'npm start'],
      Entrypoint: null,
      WorkingDir: '/app/sub',
      Labels: { from: 'mine', version: '1.0' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGQUIT',
    });
    for (const k of ['RUN', 'ADD', 'COPY']) expect(r.said).toContain(` ---> ${NOT_EXECUTED(k)}\n`);
    expect(r.said).toContain('Step 1/14 : FROM alpine\n');
    expect(r.body.Layers).toEqual(base.Layers);
    expect(r.body.RunImage).toEqual({ Reference: 'docker.io/library/alpine:latest', Env: ['PATH=/usr/bin:/bin'] });
    expect(r.body.History.map((h) => h.Comment).filter(Boolean)).toEqual(['RUN not executed by Sockerless ACA', 'ADD not executed by Sockerless ACA', 'COPY not executed by Sockerless ACA']);
  });

  it('ENTRYPOINT drops the base CMD unless this stage set one; SHELL changes the shell form', async () => {
    expect((await run('FROM alpine\nENTRYPOINT ["/app"]\n')).config).toMatchObject({ Entrypoint: ['/app'], Cmd: null });
    expect((await run('FROM alpine\nCMD ["--x"]\nENTRYPOINT /app run\n')).config).toMatchObject({ Entrypoint: ['/bin/sh', '-c', '/app run'], Cmd: ['--x'] });
    expect((await run('FROM alpine\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nCMD echo hi\n')).config).toMatchObject({ Cmd: ['/bin/bash', '-eo', 'pipefail', '-c', 'echo hi'], Shell: ['/bin/bash', '-eo', 'pipefail', '-c'] });
  });

  it('ARGs: build args win over defaults, meta ARGs reach FROM and (redeclared) stages, unused build args are reported', async () => {
    const df = 'ARG TAG=3.19\nARG V=meta\nFROM alpine:$TAG\nARG V\nARG W=dflt\nENV V=$V W=$W\n';
    const plain = await run(df);
    expect(plain.pulled).toEqual(['alpine:3.19']);
    expect(plain.config.Env).toEqual(expect.arrayContaining(['V=meta', 'W=dflt']));
    const given = await run(df, { buildArgs: { TAG: '3.20', W: 'given', NOPE: 'x', HTTP_PROXY: 'http://p' } });
    expect(given.pulled).toEqual(['alpine:3.20']);
    expect(given.config.Env).toEqual(expect.arrayContaining(['V=meta', 'W=given']));
    expect(given.said).toContain('[Warning] One or more build-args [NOPE] were not consumed\n');
    // An ARG is not part of the image's environment.
    expect((await run('FROM alpine\nARG ONLY=1\n')).config.Env).toEqual(['PATH=/usr/bin:/bin']);
  });

  it('multi-stage: FROM a previous stage keeps its config, --target stops early, scratch starts empty', async () => {
    const df = 'FROM alpine AS base\nENV STAGE=base\nFROM base AS dev\nENV STAGE=dev\nFROM scratch\nCMD ["/app"]\n';
    expect((await run(df, { target: 'DEV' })).config.Env).toEqual(['PATH=/usr/bin:/bin', 'STAGE=dev']);
    const final = await run(df);
    expect(final.config).toMatchObject({ Env: [], Cmd: ['/app'], Labels: null });
    expect(final.body.RunImage).toBeUndefined();
    await expect(run(df, { target: 'prod' })).rejects.toThrow('failed to reach build target prod in Dockerfile');
  });

  it('the same Dockerfile gives the same image id; the last step line shows it; --label adds a final LABEL step', async () => {
    const a = await run('FROM alpine\nCMD ["x"]\n');
    const b = await run('FROM alpine\nCMD ["x"]\n');
    expect(a.body.Id).toBe(b.body.Id);
    expect(a.said).toContain(` ---> ${a.body.Id.slice(7, 19)}\n`);
    const labelled = await run('FROM alpine\n', { labels: { 'built-by': 'me' } });
    expect(labelled.said).toContain('Step 2/2 : LABEL "built-by"="me"');
    expect(labelled.config.Labels).toEqual({ from: 'base', 'built-by': 'me' });
    expect(labelled.body.Id).not.toBe(a.body.Id);
  });

  it('HEALTHCHECK and ONBUILD are recorded', async () => {
    const r = await run('FROM alpine\nHEALTHCHECK --interval=30s --retries=3 CMD wget -q localhost\nONBUILD RUN make\n');
    expect(r.config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 30e9, Retries: 3 });
    expect(r.config.OnBuild).toEqual(['RUN make']);
  });

  it('refuses bad Dockerfiles with the reason', async () => {
    await expect(run('')).rejects.toThrow(DockerfileError);
    await expect(run('FROM alpine\nFRM x\n')).rejects.toThrow('unknown instruction: FRM');
    await expect(run('ENV A=1\nFROM alpine\n')).rejects.toThrow('only ARG may precede');
    await expect(run('FROM alpine\nEXPOSE http\n')).rejects.toThrow(BuildError);
    await expect(run('FROM alpine\nSHELL /bin/bash\n')).rejects.toThrow('SHELL requires the arguments to be in JSON form');
    await expect(run('FROM alpine\nENV A="unterminated\n')).rejects.toThrow(BuildError);
    await expect(run('FROM --platform=linux/arm64 alpine\n')).rejects.toThrow('not supported');
  });
});
