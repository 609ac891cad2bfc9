// Issue 19: where Docker's contract broke, each row as its reproduction through the docker CLI
// (docker-py for the listing), against a daemon on the embedded simulator.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, run, SYSTEM_PYTHON } from '../compat/tools';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startTestDaemon();
  dir = await mkdtemp(join(tmpdir(), 'sockerless-contract-'));
  expect((await d.cli(['pull', 'alpine'])).code).toBe(0);
  expect((await d.cli(['pull', 'busybox'])).code).toBe(0);
});
afterAll(async () => {
  await d?.close();
});

const inspect = async (ref: string) => JSON.parse((await d.cli(['inspect', ref])).stdout)[0];

describe('row 1: exec and cp as soon as start returns', () => {
  it('docker run -d, then at once docker exec echo ok and docker cp into it', async () => {
    const r = await d.cli(['run', '-d', '--name', 'c1', 'alpine', 'sleep', '60']);
    expect(r.code).toBe(0);
    const exec = await d.cli(['exec', 'c1', 'echo', 'ok']);
    expect(exec).toMatchObject({ code: 0, stdout: 'ok\n' });
    const file = join(dir, 'f');
    await writeFile(file, 'copied\n');
    const run2 = await d.cli(['run', '-d', '--name', 'c1b', 'alpine', 'sleep', '60']);
    expect(run2.code).toBe(0);
    const cp = await d.cli(['cp', file, 'c1b:/tmp/f']);
    expect(cp).toMatchObject({ code: 0, stderr: '' });
    expect((await d.cli(['exec', 'c1b', 'cat', '/tmp/f'])).stdout).toBe('copied\n');
    await d.cli(['rm', '-f', 'c1', 'c1b']);
  });

  it('a container whose agent never comes: exec waits, then says why and what to do', async () => {
    // Its agent is told to dial nowhere: the container runs, and no agent ever connects.
    const wait = await startTestDaemon({ env: { SOCKERLESS_AGENT_WAIT_MS: '1500', SOCKERLESS_CALLBACK_URL: 'ws://127.0.0.1:9/agent' } });
    try {
      expect((await wait.cli(['pull', 'alpine'])).code).toBe(0);
      const r = await wait.cli(['run', '-d', '--name', 'lonely', 'alpine', 'sleep', '30']);
      expect(r.code).toBe(0);
      const exec = await wait.cli(['exec', 'lonely', 'echo', 'ok']);
      expect(exec.code).not.toBe(0);
      expect(exec.stderr).toMatch(/needs the in-job agent, and none is connected .*: the agent did not dial the daemon within 1\.5s .*check that SOCKERLESS_CALLBACK_URL is reachable/);
      await wait.cli(['rm', '-f', 'lonely']);
    } finally {
      await wait.close();
    }
  });
});

describe('row 2: User', () => {
  it('docker run --rm -u 1000:1000 alpine id runs as that uid and gid', async () => {
    const r = await d.cli(['run', '--rm', '-u', '1000:1000', 'alpine', 'id']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^uid=1000(\(\w+\))? gid=1000(\(\w+\))? groups=1000/);
  });

  it('docker exec -u 65534 c id -u; a name resolves in /etc/passwd; an unknown user is refused as runc does', async () => {
    expect((await d.cli(['run', '-d', '--name', 'c2', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect(await d.cli(['exec', '-u', '65534', 'c2', 'id', '-u'])).toMatchObject({ code: 0, stdout: '65534\n' });
    expect(await d.cli(['exec', '-u', 'nobody', 'c2', 'id', '-u'])).toMatchObject({ code: 0, stdout: '65534\n' });
    expect(await d.cli(['exec', 'c2', 'id', '-u'])).toMatchObject({ code: 0, stdout: '0\n' });
    const unknown = await d.cli(['exec', '-u', 'nosuchuser', 'c2', 'id']);
    expect(unknown.code).toBe(126);
    expect(unknown.stderr).toContain('unable to find user nosuchuser: no matching entries in passwd file');
    await d.cli(['rm', '-f', 'c2']);
  });

  it('the container User is the default of its execs', async () => {
    expect((await d.cli(['run', '-d', '--name', 'c2b', '-u', '65534', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect(await d.cli(['exec', 'c2b', 'id', '-u'])).toMatchObject({ code: 0, stdout: '65534\n' });
    await d.cli(['rm', '-f', 'c2b']);
  });

  it('a -t exec (a pseudo-terminal session) resolves -u alike, and refuses an unknown user alike', async () => {
    expect((await d.cli(['run', '-d', '--name', 'c2t', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect(await d.cli(['exec', '-t', '-u', 'nobody', 'c2t', 'id', '-u'])).toMatchObject({ code: 0, stdout: '65534\r\n' });
    const unknown = await d.cli(['exec', '-t', '-u', 'nosuchuser', 'c2t', 'id']);
    expect(unknown.code).toBe(126);
    expect(unknown.stdout).toContain('unable to find user nosuchuser: no matching entries in passwd file');
    await d.cli(['rm', '-f', 'c2t']);
  });
});

describe('row 3: the command is PID 1', () => {
  it('docker kill -s INT of a plain sleep leaves it running; docker stop waits out the grace, then 137', async () => {
    // --stop-timeout 1 keeps `docker stop` exactly as typed while the grace stays short.
    expect((await d.cli(['run', '-d', '--stop-timeout', '1', '--name', 's3', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect((await d.cli(['kill', '-s', 'INT', 's3'])).code).toBe(0);
    // The signal is dropped at once; an exec round trip later, it is still running.
    expect((await d.cli(['exec', 's3', 'true'])).code).toBe(0);
    expect((await inspect('s3')).State.Status).toBe('running');
    const started = Date.now();
    expect((await d.cli(['stop', 's3'])).code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await inspect('s3')).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    await d.cli(['rm', 's3']);
  });

  it('a handler the command installed is honoured: trap on INT ends it with its own code', async () => {
    expect((await d.cli(['run', '-d', '--name', 's3t', 'alpine', 'sh', '-c', "trap 'exit 7' INT; touch /tmp/ready; while :; do sleep 0.1; done"])).code).toBe(0);
    // A signal that comes before the handler is installed is not delivered (PID 1): wait for it.
    while ((await d.cli(['exec', 's3t', 'test', '-f', '/tmp/ready'])).code !== 0);
    expect((await d.cli(['kill', '-s', 'INT', 's3t'])).code).toBe(0);
    expect((await d.cli(['wait', 's3t'])).stdout).toBe('7\n');
    await d.cli(['rm', 's3t']);
  });

  it('with --init the command gets the signal: kill -s INT ends sleep with 130', async () => {
    expect((await d.cli(['run', '-d', '--init', '--name', 's3i', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect((await d.cli(['exec', 's3i', 'true'])).code).toBe(0);
    expect((await d.cli(['kill', '-s', 'INT', 's3i'])).code).toBe(0);
    expect((await d.cli(['wait', 's3i'])).stdout).toBe('130\n');
    await d.cli(['rm', 's3i']);
  });
});

describe('row 4: a command that cannot run', () => {
  it('docker run -d busybox nosuchcmd fails with 127 and runc\'s reason; State.Error is set; a later start fails the same way', async () => {
    const reason = 'exec: "nosuchcmd": executable file not found in $PATH';
    const r = await d.cli(['run', '-d', '--name', 'c4', 'busybox', 'nosuchcmd']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('docker: Error response from daemon: failed to create task for container');
    expect(r.stderr).toContain(reason);
    expect(r.stderr).not.toContain('Error waiting for container');
    const state = (await inspect('c4')).State;
    // As dockerd: nothing ever ran, so the container is still `created`, with the code and the reason.
    expect(state.Status).toBe('created');
    expect(state.ExitCode).toBe(127);
    expect(state.Error).toContain(reason);
    const again = await d.cli(['start', 'c4']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(reason);
    await d.cli(['rm', 'c4']);
  });
});

describe('row 5: hostname', () => {
  it('docker run --hostname cbhost alpine hostname prints cbhost', async () => {
    expect(await d.cli(['run', '--rm', '--hostname', 'cbhost', 'alpine', 'hostname'])).toMatchObject({ code: 0, stdout: 'cbhost\n' });
  });

  it('by default the short id, which inspect says and the process sees', async () => {
    const r = await d.cli(['run', '--name', 'c5', 'alpine', 'hostname']);
    expect(r.code).toBe(0);
    const info = await inspect('c5');
    expect(info.Config.Hostname).toBe(info.Id.slice(0, 12));
    expect(r.stdout).toBe(`${info.Config.Hostname}\n`);
    await d.cli(['rm', 'c5']);
  });
});

describe('row 5 where the hostname cannot be set', () => {
  it('inspect says what the process sees (a replica that keeps its own name; here a plain process)', async () => {
    const plain = await startTestDaemon({ simulator: { isolation: 'none' } });
    try {
      expect((await plain.cli(['pull', 'alpine'])).code).toBe(0);
      expect((await plain.cli(['run', '-d', '--name', 'c5b', 'alpine', 'sleep', '30'])).code).toBe(0);
      const seen = (await plain.cli(['exec', 'c5b', 'hostname'])).stdout.trim();
      expect(seen).toBe(hostname());
      const info = JSON.parse((await plain.cli(['inspect', 'c5b'])).stdout)[0];
      expect(info.Config.Hostname).toBe(seen);
      await plain.cli(['rm', '-f', 'c5b']);
    } finally {
      await plain.close();
    }
  });
});

const absentPy = await missing('docker-py');
describe.skipIf(absentPy !== undefined)('row 6: docker-py containers.list()', () => {
  it('lists running containers only (it sends limit=-1), all=True adds the created one', async () => {
    const created = (await d.cli(['create', '--name', 'c6', 'alpine', 'true'])).stdout.trim();
    const script = [
      'import docker, json, sys',
      'c = docker.DockerClient(base_url=sys.argv[1])',
      'print(json.dumps({"running": [x.id for x in c.containers.list()], "all": [x.id for x in c.containers.list(all=True)]}))',
    ].join('\n');
    const r = await run(SYSTEM_PYTHON, ['-c', script, `unix://${d.socket}`]);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.running).not.toContain(created);
    expect(got.all).toContain(created);
    await d.cli(['rm', 'c6']);
  });
});

describe('row 7: docker inspect of nothing', () => {
  it('Error: No such object, after every family (plugins answered as a dockerd without any)', async () => {
    const r = await d.cli(['inspect', 'no-such-thing']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: No such object: no-such-thing');
    expect(r.stderr).not.toContain('not implemented');
    expect(await d.cli(['plugin', 'ls', '--format', '{{.Name}}'])).toMatchObject({ code: 0, stdout: '' });
    const plugin = await d.cli(['plugin', 'inspect', 'no-such-thing']);
    expect(plugin.code).toBe(1);
    expect(plugin.stderr).toContain('no-such-thing');
  });
});

describe('row 8: volume mount points', () => {
  it("docker run -v vol8:/data alpine sh -c 'echo x > /data/f; cat /data/f' (and -v /anon)", async () => {
    expect(await d.cli(['run', '--rm', '-v', 'vol8:/data', 'alpine', 'sh', '-c', 'echo x > /data/f; cat /data/f'])).toMatchObject({ code: 0, stdout: 'x\n' });
    expect(await d.cli(['run', '--rm', '-v', '/anon', 'alpine', 'sh', '-c', 'echo y > /anon/f; cat /anon/f'])).toMatchObject({ code: 0, stdout: 'y\n' });
  });
});

describe('row 9: top and stats through the agent', () => {
  it('docker top c shows the process table; docker stats --no-stream c one sample; with no argument, the running containers', async () => {
    expect((await d.cli(['run', '-d', '--name', 'c9', 'alpine', 'sleep', '60'])).code).toBe(0);
    expect((await d.cli(['create', '--name', 'c9-created', 'alpine', 'true'])).code).toBe(0);
    const top = await d.cli(['top', 'c9']);
    expect(top.code).toBe(0);
    const [titles, ...rows] = top.stdout.trim().split('\n');
    expect(titles!.split(/\s+/)).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(rows.some((r) => /^root\s+\d+\s+\d+\s+\d+\s+\d\d:\d\d\s+\?\s+\d\d:\d\d:\d\d\s+sleep 60$/.test(r))).toBe(true);

    const one = await d.cli(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}} {{.CPUPerc}}', 'c9']);
    expect(one.code).toBe(0);
    // Resident memory of sleep against the 2Gi ACA gives the job; one process.
    expect(one.stdout).toMatch(/^c9 [\d.]+[KM]iB \/ 2GiB 1 [\d.]+%\n$/);

    const all = await d.cli(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}']);
    expect(all.code).toBe(0);
    const names = all.stdout.trim().split('\n');
    expect(names).toContain('c9 1');
    expect(names.some((l) => l.startsWith('c9-created'))).toBe(false);
    expect(all.stdout).not.toContain('--');
    await d.cli(['rm', '-f', 'c9', 'c9-created']);
  });
});

describe('row 10: events', () => {
  it('docker events around docker run and docker rm on a network: attach, connect before start, disconnect after die, destroy last', async () => {
    expect((await d.cli(['network', 'create', 'net10'])).code).toBe(0);
    const since = Math.floor(Date.now() / 1000) - 1;
    expect((await d.cli(['run', '--name', 'c10', '--network', 'net10', 'alpine', 'true'])).code).toBe(0);
    expect((await d.cli(['rm', 'c10'])).code).toBe(0);
    const replay = await d.cli(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    const mine = replay.stdout.trim().split('\n').filter((l) => / (c10|net10)$/.test(l)).map((l) => l.replace(/ \S+$/, ''));
    expect(mine).toEqual([
      'network create', 'container create', 'container attach', 'network connect', 'container start', 'container die', 'network disconnect', 'container destroy',
    ]);
    await d.cli(['network', 'rm', 'net10']);
  });
});
