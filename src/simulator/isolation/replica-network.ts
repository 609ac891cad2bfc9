import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A replica's own network namespace, as an ACA replica has its own address. `unshare --net` gives
 * it one with only a loopback; slirp4netns (user-mode TCP/IP, no host interface or NAT rule is
 * touched) gives it a tap0 with 10.0.2.100 and a default route, so it reaches what the host
 * reaches. Nothing on the host reaches into it: a port is only reachable through the agent's
 * published-port streams. The host's loopback is 10.0.2.2 inside; the TCP ports the daemon
 * listens on (the agent's callback) are also DNATed from the replica's own 127.0.0.1, so a
 * `ws://127.0.0.1:port/agent` callback keeps working. A unix socket callback works as is (the
 * socket's directory is bound into the replica's root).
 */
export interface NetworkTools {
  slirp4netns: string;
  nsenter: string;
  nft: string;
}

/** The launcher waits on this FIFO (when present) for `ok` before it runs the command. */
export const NET_READY_FIFO = 'net-ready';
const HOST_LOOPBACK = '10.0.2.2';
const REPLICA_ADDRESS = '10.0.2.100';
const READY_TIMEOUT_MS = 10_000;

export function makeReadyFifo(replicaDir: string): void {
  execFileSync('mkfifo', ['-m', '0600', join(replicaDir, NET_READY_FIFO)]);
}

/** nftables rules of the replica's namespace: its 127.0.0.1:port for the host's listeners. */
export function loopbackRules(ports: readonly number[]): string {
  const valid = ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (valid.length === 0) return '';
  const set = valid.join(', ');
  return [
    'table ip sockerless {',
    '  chain out { type nat hook output priority -100; ip daddr 127.0.0.1 tcp dport { ' + set + ' } dnat to ' + HOST_LOOPBACK + '; }',
    '  chain post { type nat hook postrouting priority 100; oifname "tap0" ip saddr 127.0.0.1 snat to ' + REPLICA_ADDRESS + '; }',
    '}',
    '',
  ].join('\n');
}

function applyLoopbackRules(tools: NetworkTools, pid: number, rules: string): Promise<void> {
  if (!rules) return Promise.resolve();
  const script = 'echo 1 >/proc/sys/net/ipv4/conf/all/route_localnet && "$1" -f -';
  return new Promise((resolve, reject) => {
    const child = execFile(tools.nsenter, ['-t', String(pid), '-n', '/bin/sh', '-c', script, 'sh', tools.nft], (err, _out, stderr) =>
      err ? reject(new Error(`loopback rules: ${stderr.trim() || err.message}`)) : resolve(),
    );
    child.stdin?.end(rules);
  });
}

export interface ReplicaNetwork {
  close(): void;
}

/** Gives the namespace of `pid` its tap0, then tells the launcher (through the FIFO) to go on. */
export function startReplicaNetwork(tools: NetworkTools, pid: number, replicaDir: string, hostPorts: readonly number[]): ReplicaNetwork {
  const slirp = spawn(tools.slirp4netns, ['--configure', '--mtu=65520', '--ready-fd=3', String(pid), 'tap0'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  slirp.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString().trim()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('slirp4netns not ready in time')), READY_TIMEOUT_MS);
    slirp.stdio[3]?.on('data', () => {
      clearTimeout(timer);
      resolve();
    });
    slirp.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    slirp.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`slirp4netns exited ${code}: ${errors.join('; ')}`));
    });
  });
  const fifo = join(replicaDir, NET_READY_FIFO);
  void ready
    .then(() => applyLoopbackRules(tools, pid, loopbackRules(hostPorts)))
    .then(() => 'ok\n')
    .catch((err: Error) => `fail ${err.message.replace(/\s+/g, ' ')}\n`)
    // Opening the FIFO blocks until the launcher opens it; a launcher already gone leaves it unread.
    .then((word) => writeFile(fifo, word).catch(() => undefined));
  return {
    close() {
      if (slirp.exitCode === null) slirp.kill('SIGKILL');
      // A writer still blocked in open (the launcher died first) is let go by a reader that closes at once.
      try {
        closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        // gone already
      }
    },
  };
}
