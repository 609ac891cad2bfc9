import { readFileSync } from 'node:fs';

const LISTEN = '0A';

/**
 * The TCP ports something listens on in the replica's network namespace, from /proc/net/tcp and
 * tcp6 (state 0A). Sockets bound to another loopback address than 127.0.0.1 are left out: those
 * are the agent's own listeners for its peers (127.x.y.z), not the container's servers.
 */
export function listeningPorts(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number[] {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== LISTEN || !fields[1]) continue;
      const [address, port] = fields[1].split(':');
      if (!address || !port) continue;
      if (address.length === 8 && isPeerLoopback(address)) continue;
      ports.add(parseInt(port, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** /proc/net/tcp writes an IPv4 address as 8 hex digits in host (little-endian) order. */
function isPeerLoopback(hex: string): boolean {
  const first = parseInt(hex.slice(6, 8), 16);
  return first === 127 && hex !== '0100007F';
}

/** Calls `report` with the listening ports now and whenever they change, every `everyMs`, until stopped. */
export function watchListeningPorts(report: (ports: number[]) => void, everyMs = 1_000): { stop(): void; again(): void } {
  let last = '';
  const check = (force = false) => {
    const ports = listeningPorts();
    const key = ports.join(',');
    if (!force && key === last) return;
    last = key;
    report(ports);
  };
  check(true);
  const timer = setInterval(check, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), again: () => check(true) };
}
