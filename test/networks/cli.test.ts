// Networks through the installed docker CLI, against a daemon on the embedded simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.close();
});

const inspect = async (what: string) => JSON.parse((await d.cli(['inspect', what])).stdout)[0];
const names = async (...args: string[]) => (await d.cli(['network', 'ls', '--format', '{{.Name}}', ...args])).stdout.split('\n').filter(Boolean).sort();

describe('docker network', { timeout: 120_000 }, () => {
  it('starts with bridge, host and none, which cannot be removed', async () => {
    expect(await names()).toEqual(['bridge', 'host', 'none']);
    const rm = await d.cli(['network', 'rm', 'bridge']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('bridge is a pre-defined network and cannot be removed');
  });

  it('create, duplicate name, containers with unique synthetic addresses, inspect, connect, disconnect, rm', async () => {
    const created = await d.cli(['network', 'create', '--label', 'team=a', 'net1']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const dup = await d.cli(['network', 'create', 'net1']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('network with name net1 already exists');

    expect((await d.cli(['run', '-d', '--name', 'n1', '--network', 'net1', '--network-alias', 'web', 'alpine', 'sleep', '30'])).code).toBe(0);
    expect((await d.cli(['create', '--name', 'b1', 'alpine', 'true'])).code).toBe(0);

    const n1 = (await inspect('n1')).NetworkSettings;
    expect(Object.keys(n1.Networks)).toEqual(['net1']);
    expect(n1.Networks.net1).toMatchObject({ NetworkID: id, IPAddress: '172.18.0.2', Gateway: '172.18.0.1', IPPrefixLen: 16, MacAddress: '02:42:ac:12:00:02' });
    expect(n1.Networks.net1.Aliases).toContain('web');
    const b1 = (await inspect('b1')).NetworkSettings;
    expect(b1).toMatchObject({ IPAddress: '172.17.0.2', Gateway: '172.17.0.1' });
    expect(b1.Networks.bridge.IPAddress).toBe('172.17.0.2');

    const net = JSON.parse((await d.cli(['network', 'inspect', 'net1'])).stdout)[0];
    expect(net).toMatchObject({ Name: 'net1', Id: id, Driver: 'bridge', Scope: 'local', Labels: { team: 'a' } });
    expect(net.IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect(Object.values(net.Containers)).toEqual([expect.objectContaining({ Name: 'n1', IPv4Address: '172.18.0.2/16' })]);
    expect(net.Aca.Note).toContain('no network between them');

    expect((await d.cli(['network', 'connect', '--alias', 'db', 'net1', 'b1'])).code).toBe(0);
    expect((await inspect('b1')).NetworkSettings.Networks.net1).toMatchObject({ IPAddress: '172.18.0.3', Aliases: ['db'] });
    const again = await d.cli(['network', 'connect', 'net1', 'b1']);
    expect(again.code).toBe(1);
    expect((await d.cli(['network', 'disconnect', 'net1', 'b1'])).code).toBe(0);
    expect(Object.keys((await inspect('b1')).NetworkSettings.Networks)).toEqual(['bridge']);

    const busy = await d.cli(['network', 'rm', 'net1']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('has active endpoints');
    expect((await d.cli(['rm', '-f', 'n1', 'b1'])).code).toBe(0);
    expect((await d.cli(['network', 'rm', 'net1'])).code).toBe(0);
    const gone = await d.cli(['network', 'inspect', 'net1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('network net1 not found');
  });

  it('a second network gets the next /16, and an unknown network fails the create with 404', async () => {
    await d.cli(['network', 'create', 'first']);
    await d.cli(['network', 'create', 'second']);
    const subnets: string[] = await Promise.all(['first', 'second'].map(async (n) => (await d.docker.getNetwork(n).inspect()).IPAM?.Config?.[0]?.Subnet ?? ''));
    expect(new Set(subnets).size).toBe(2);
    expect(subnets.every((s) => /^172\.(1[89]|2\d|3[01])\.0\.0\/16$/.test(s))).toBe(true);
    const missing = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { NetworkMode: 'nosuchnet' } }).catch((e) => e);
    expect(missing.statusCode).toBe(404);
    expect(missing.json.message).toBe('network nosuchnet not found');
    await d.cli(['network', 'rm', 'first', 'second']);
  });

  it('ls filters: name, id, label, driver, type, dangling', async () => {
    const { stdout } = await d.cli(['network', 'create', '--label', 'tier=front', '--label', 'x', 'front']);
    await d.cli(['network', 'create', '--label', 'tier=back', 'back']);
    await d.cli(['create', '--name', 'user', '--network', 'back', 'alpine', 'true']);
    expect(await names('--filter', 'name=fro')).toEqual(['front']);
    expect(await names('--filter', `id=${stdout.trim().slice(0, 10)}`)).toEqual(['front']);
    expect(await names('--filter', 'label=tier')).toEqual(['back', 'front']);
    expect(await names('--filter', 'label=tier=back')).toEqual(['back']);
    expect(await names('--filter', 'label=x')).toEqual(['front']);
    expect(await names('--filter', 'driver=host')).toEqual(['host']);
    expect(await names('--filter', 'type=builtin')).toEqual(['bridge', 'host', 'none']);
    expect(await names('--filter', 'type=custom')).toEqual(['back', 'front']);
    expect(await names('--filter', 'dangling=true')).toEqual(['front']);
    const bad = await d.cli(['network', 'ls', '--filter', 'type=odd']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("invalid filter: 'type'='odd'");
    await d.cli(['rm', 'user']);
    await d.cli(['network', 'rm', 'front', 'back']);
  });

  it('prune removes unused user networks the label filters pick, and announces network events', async () => {
    await d.cli(['network', 'create', '--label', 'keep=no', 'p1']);
    await d.cli(['network', 'create', '--label', 'keep=yes', 'p2']);
    const pruned = await d.cli(['network', 'prune', '-f', '--filter', 'label=keep=no']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('p1');
    expect(await names()).toEqual(['bridge', 'host', 'none', 'p2']);
    expect((await d.cli(['network', 'prune', '-f', '--filter', 'label!=keep=yes'])).stdout).not.toContain('p2');
    expect((await d.cli(['network', 'prune', '-f'])).stdout).toContain('p2');

    const now = Math.ceil(Date.now() / 1000) + 1;
    const events = await d.cli(['events', '--since', '0', '--until', String(now), '--filter', 'type=network', '--filter', 'network=p1', '--format', '{{.Action}}']);
    expect(events.stdout.split('\n').filter(Boolean)).toEqual(['create', 'destroy']);
  });
});
