/** Docker's multiplexed stream framing (Tty=false): [stream, 0, 0, 0, uint32 BE size] + payload. */
export function frame(stream: 'stdout' | 'stderr', payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW = 'application/vnd.docker.raw-stream';

/** RFC3339Nano with nanosecond padding, as `docker logs -t` prints it. */
export function nanoTimestamp(iso: string): string {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return iso;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}
