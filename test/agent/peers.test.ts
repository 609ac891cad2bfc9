// Container names between containers (issue 20 item 3), the agent's half: the hosts entries and
// loopback listeners for peers, the ports a replica listens on, and the new protocol messages.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listeningPorts } from '../../src/agent/listening-ports';
import { PeerListeners } from '../../src/agent/peers';
import { AGENT_SESSIONS, decodeAgentMessage, decodeDaemonMessage, encodeMessage, type AgentMessage } from '../../src/agent/protocol';
import { exposedTcpPorts } from '../../src/networks/peer-directory';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 0706057F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
   3: 0100007F:9C40 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0
`;

describe('listeningPorts', () => {
  it('reads the LISTEN sockets of tcp and tcp6, leaving out the agent\'s own peer addresses (127.x other than 127.0.0.1)', () => {
    const read = (path: string) => (path.endsWith('tcp6') ? TCP6 : TCP);
    expect(listeningPorts(read)).toEqual([80, 7000, 8080]);
  });

  it('a file it cannot read is skipped', () => {
    expect(listeningPorts((path) => {
      if (path.endsWith('tcp6')) throw new Error('ENOENT');
      return TCP;
    })).toEqual([80, 7000]);
  });
});

describe('exposedTcpPorts', () => {
  it('takes ExposedPorts and PortBindings keys, TCP only, once each', () => {
    expect(exposedTcpPorts({ ExposedPorts: { '80/tcp': {}, '53/udp': {} }, PortBindings: { '8080': [{}], '80/tcp': [] } }).sort()).toEqual([80, 8080]);
    expect(exposedTcpPorts({ ExposedPorts: null, PortBindings: null })).toEqual([]);
  });
});

describe('peer messages', () => {
  it('dial and listening come from the agent, peers and portOpened from the daemon', () => {
    expect(decodeAgentMessage(encodeMessage({ t: 'dial', s: AGENT_SESSIONS, peer: 'abc', port: 80 }))).toEqual({ t: 'dial', s: AGENT_SESSIONS, peer: 'abc', port: 80 });
    expect(decodeAgentMessage(encodeMessage({ t: 'listening', ports: [80] }))).toEqual({ t: 'listening', ports: [80] });
    const peers = { t: 'peers' as const, peers: [{ id: 'abc', names: ['web'], ports: [80] }] };
    expect(decodeDaemonMessage(encodeMessage(peers))).toEqual(peers);
    expect(decodeDaemonMessage(encodeMessage({ t: 'portOpened', s: AGENT_SESSIONS }))).toEqual({ t: 'portOpened', s: AGENT_SESSIONS });
    expect(() => decodeDaemonMessage('{"t":"dial","s":1,"peer":"x","port":80}')).toThrow();
    expect(() => decodeAgentMessage('{"t":"peers","peers":[]}')).toThrow();
  });
});

describe('PeerListeners', () => {
  let dir: string;
  let hosts: string;
  let peers: PeerListeners;
  const sent: AgentMessage[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockerless-peers-'));
    hosts = join(dir, 'hosts');
    await writeFile(hosts, '127.0.0.1\tlocalhost\n');
    sent.length = 0;
    peers = new PeerListeners({ hostsFile: hosts });
    peers.attach({ send: () => {}, control: (m) => void sent.push(m), connected: true });
  });
  afterEach(async () => {
    peers.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each peer a loopback address of its own in the hosts file, listens there on its ports, and dials the daemon per connection', async () => {
    await peers.update([
      { id: 'web-id', names: ['web', 'www'], ports: [47001] },
      { id: 'db-id', names: ['db', 'web'], ports: [] },
    ]);
    const text = await readFile(hosts, 'utf8');
    expect(text.startsWith('127.0.0.1\tlocalhost\n# sockerless:')).toBe(true);
    const web = /^(127\.\d+\.\d+\.\d+)\tweb www$/m.exec(text);
    expect(web, text).not.toBeNull();
    expect(web![1]).not.toBe('127.0.0.1');
    // A name already given to a peer is not repeated.
    expect(text).toMatch(/^127\.\d+\.\d+\.\d+\tdb$/m);

    const socket = connect({ host: web![1], port: 47001 });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    for (let i = 0; i < 100 && !sent.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent[0]).toMatchObject({ t: 'dial', peer: 'web-id', port: 47001 });
    const s = (sent[0] as { s: number }).s;
    expect(s).toBeGreaterThanOrEqual(AGENT_SESSIONS);
    expect(peers.has(s)).toBe(true);
    // The daemon could not reach the peer: the client's connection is closed.
    peers.close(s);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(peers.has(s)).toBe(false);
  });

  it('a peer that left loses its entry and its listener; the hosts file is what it was', async () => {
    await peers.update([{ id: 'web-id', names: ['web'], ports: [47002] }]);
    const address = /^(127\.\d+\.\d+\.\d+)\tweb$/m.exec(await readFile(hosts, 'utf8'))![1]!;
    await peers.update([]);
    expect(await readFile(hosts, 'utf8')).toBe('127.0.0.1\tlocalhost\n');
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port: 47002 });
      socket.once('connect', () => (socket.destroy(), resolve(false))).once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
