import { describe, expect, it } from 'vitest';
import { httpStatus } from '../../src/api/errors';
import { DockerError } from '../../src/errdefs';
import { listFilter, pruneFilter } from '../../src/networks/filters';
import { NetworkStore } from '../../src/networks/store';

const status = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof DockerError ? httpStatus(e) : String(e);
  }
};

describe('NetworkStore', () => {
  it('gives each user network its own /16 after 172.17 (bridge), honours a given subnet, refuses overlaps', () => {
    const s = new NetworkStore();
    expect(s.resolve('bridge').IPAM.Config).toEqual([{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
    expect(s.create({ Name: 'a' }).IPAM.Config[0]).toEqual({ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' });
    expect(s.create({ Name: 'b', IPAM: { Config: [{ Subnet: '10.5.0.0/24' }] } }).IPAM.Config[0]).toEqual({ Subnet: '10.5.0.0/24', Gateway: '10.5.0.1' });
    expect(s.create({ Name: 'c' }).IPAM.Config[0]!.Subnet).toBe('172.19.0.0/16');
    expect(status(() => s.create({ Name: 'd', IPAM: { Config: [{ Subnet: '172.18.5.0/24' }] } }))).toBe(403);
    expect(status(() => s.create({ Name: 'a' }))).toBe(409);
    expect(status(() => s.create({ Name: 'host' }))).toBe(403);
    expect(status(() => s.create({ Name: 'o', Driver: 'overlay' }))).toBe(400);
  });

  it('addresses are unique per network, reused after release, and the asked-for one is honoured', () => {
    const s = new NetworkStore();
    const net = s.create({ Name: 'n' });
    const ip = (id: string) => s.endpointsOf(id).find((e) => e.network.Id === net.Id)!.endpoint.IPAddress;
    s.connect('n', { id: 'c1', name: '/one' });
    s.connect('n', { id: 'c2', name: '/two' });
    expect([ip('c1'), ip('c2')]).toEqual(['172.18.0.2', '172.18.0.3']);
    s.releaseContainer('c1');
    s.connect('n', { id: 'c3', name: '/three' });
    expect(ip('c3')).toBe('172.18.0.2');
    s.connect('n', { id: 'c4', name: '/four' }, { ipv4: '172.18.9.9' });
    expect(ip('c4')).toBe('172.18.9.9');
    expect(status(() => s.connect('n', { id: 'c5', name: '/five' }, { ipv4: '172.18.9.9' }))).toBe(403);
    expect(status(() => s.connect('n', { id: 'c4', name: '/four' }))).toBe(403);
    s.connect('bridge', { id: 'c1', name: '/one' });
    expect(s.endpointsOf('c1')[0]!.endpoint).toMatchObject({ IPAddress: '172.17.0.2', MacAddress: '02:42:ac:11:00:02', Name: 'one' });
    s.connect('host', { id: 'c6', name: '/six' });
    expect(s.endpointsOf('c6')[0]!.endpoint.IPAddress).toBe('');
  });

  it('reports each change on its own (a connect is one endpoint), and a store made from the kept records goes on from them', () => {
    const kept = new Map<string, unknown>();
    const persist = {
      network: (id: string, header: unknown) => (header ? kept.set(id, header) : kept.delete(id)),
      endpoint: (networkId: string, containerId: string, endpoint: unknown) => (endpoint ? kept.set(`${networkId}/${containerId}`, endpoint) : kept.delete(`${networkId}/${containerId}`)),
    };
    const s = new NetworkStore({ persist });
    expect([...kept.values()].map((n) => (n as { Name: string }).Name)).toEqual(['bridge', 'host', 'none']);
    const bridge = s.resolve('bridge').Id;
    for (const id of ['c1', 'c2', 'c3']) s.connect('bridge', { id, name: `/${id}` });
    s.releaseContainer('c1');
    s.renameContainer('c2', '/renamed');
    expect(kept.get(`${bridge}/c1`)).toBeUndefined();
    expect(kept.get(`${bridge}/c2`)).toMatchObject({ Name: 'renamed', IPAddress: '172.17.0.3' });
    expect((kept.get(bridge) as { Endpoints: object }).Endpoints).toEqual({});

    const restored = new NetworkStore({ records: s.list() });
    restored.connect('bridge', { id: 'c4', name: '/c4' });
    restored.connect('bridge', { id: 'c5', name: '/c5' });
    expect(restored.endpointsOf('c4')[0]!.endpoint.IPAddress).toBe('172.17.0.2');
    expect(restored.endpointsOf('c5')[0]!.endpoint.IPAddress).toBe('172.17.0.5');
  });

  it('lookup by id prefix and name; remove and prune rules; events', () => {
    const events: string[] = [];
    const s = new NetworkStore({ announce: (action, n, extra) => events.push(`${action} ${n.Name}${extra?.container ? ` ${extra.container}` : ''}`) });
    const a = s.create({ Name: 'a', Labels: { keep: 'yes' } });
    s.create({ Name: 'b' });
    expect(s.resolve(a.Id.slice(0, 12)).Name).toBe('a');
    expect(status(() => s.resolve('zzz'))).toBe(404);
    s.connect('a', { id: 'c1', name: '/c1' });
    expect(status(() => s.remove('a'))).toBe(409);
    expect(status(() => s.remove('none'))).toBe(403);
    expect(s.prune(pruneFilter(new Map()))).toEqual(['b']);
    s.disconnect('a', 'c1');
    expect(status(() => s.disconnect('a', 'c1'))).toBe(403);
    expect(s.prune(pruneFilter(new Map([['label!', ['keep=yes']]])))).toEqual([]);
    expect(s.prune(pruneFilter(new Map([['label', ['keep']]])))).toEqual(['a']);
    expect(events).toEqual(['create a', 'create b', 'connect a c1', 'destroy b', 'disconnect a c1', 'destroy a']);
  });

  it('list filters follow dockerd: dangling excludes the predefined networks; type custom/builtin', () => {
    const s = new NetworkStore();
    s.create({ Name: 'used' });
    s.create({ Name: 'idle', Labels: { a: 'b' } });
    s.connect('used', { id: 'c', name: '/c' });
    const names = (f: Array<[string, string[]]>) => s.list().filter(listFilter(new Map(f))).map((n) => n.Name).sort();
    expect(names([['dangling', ['true']]])).toEqual(['idle']);
    expect(names([['dangling', ['false']]])).toEqual(['bridge', 'host', 'none', 'used']);
    expect(names([['type', ['custom']]])).toEqual(['idle', 'used']);
    expect(names([['label', ['a=b']], ['driver', ['bridge']]])).toEqual(['idle']);
    expect(status(() => names([['dangling', ['maybe']]]))).toBe(400);
  });
});
