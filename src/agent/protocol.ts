// The agent protocol (PROTOCOL.md beside this file): one WebSocket per container, sessions
// multiplexed on it. Data travels in binary frames with a fixed header; everything else is a JSON
// text frame. This module is a leaf: the agent and the daemon both import it.

export const PROTOCOL_VERSION = 1;

/** Header names of the agent's upgrade request. */
export const CONTAINER_HEADER = 'x-sockerless-container-id';
export const TOKEN_HEADER = 'x-sockerless-agent-token';

/** Session 0 is the container's main process; the daemon numbers the others from 1. */
export const MAIN_SESSION = 0;

/**
 * Bytes a sender may have in flight (sent, not yet acknowledged) per session and direction.
 * The receiver acknowledges only what it has passed on downstream, so a slow reader at the
 * end of the chain stops the sender instead of making anyone buffer without bound.
 */
export const WINDOW_BYTES = 256 * 1024;

export type DataStream = 'stdin' | 'stdout' | 'stderr' | 'archive' | 'port';
const streamCodes: readonly DataStream[] = ['stdin', 'stdout', 'stderr', 'archive', 'port'];

/** One binary frame: a chunk of a session's stream. */
export interface DataFrame {
  session: number;
  stream: DataStream;
  /** Per session and direction, from 1, so a resend after a reconnect can be recognised. */
  seq: number;
  /** When the sender read the bytes (ms since the epoch); the agent's clock for output. */
  time: number;
  data: Buffer;
}

const KIND_DATA = 1;
export const DATA_HEADER_BYTES = 18;

// [0] kind=1 · [1] stream · [2..5] session u32 BE · [6..9] seq u32 BE · [10..17] time f64 BE · payload
export function encodeData(f: DataFrame): Buffer {
  const out = Buffer.allocUnsafe(DATA_HEADER_BYTES + f.data.length);
  out[0] = KIND_DATA;
  out[1] = streamCodes.indexOf(f.stream);
  out.writeUInt32BE(f.session, 2);
  out.writeUInt32BE(f.seq, 6);
  out.writeDoubleBE(f.time, 10);
  f.data.copy(out, DATA_HEADER_BYTES);
  return out;
}

export function decodeData(buf: Buffer): DataFrame {
  if (buf.length < DATA_HEADER_BYTES || buf[0] !== KIND_DATA) throw new ProtocolError('malformed data frame');
  const stream = streamCodes[buf[1]!];
  if (!stream) throw new ProtocolError(`unknown stream code ${buf[1]}`);
  return {
    stream,
    session: buf.readUInt32BE(2),
    seq: buf.readUInt32BE(6),
    time: buf.readDoubleBE(10),
    data: buf.subarray(DATA_HEADER_BYTES),
  };
}

/** How a process ended: its code, or the signal that killed it (then code is 128+n). */
export interface ExitStatus {
  code: number;
  signal?: string;
}

/** What a session looks like from the agent, sent in `hello` so the daemon can resume it. */
export interface SessionReport {
  s: number;
  /** Oldest output seq the agent still holds (unacknowledged); 0 when it holds none. */
  firstSeq: number;
  /** Last output seq the agent produced. */
  lastSeq: number;
  /** Last stdin seq the agent received. */
  inSeq: number;
  exit?: ExitStatus;
}

/** `docker cp`'s view of a path (X-Docker-Container-Path-Stat). `mode` uses Go's FileMode bits. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

import type { UsageSample } from './proc-table';

/** `docker top` and `docker stats`: what the agent reads from /proc for the daemon. */
export type ProbeKind = 'top' | 'stats';
export type ProbeResult = { top: { Titles: string[]; Processes: string[][] } } | { stats: UsageSample } | { error: string };

export type ArchiveErrorKind = 'notFound' | 'invalid' | 'failed';

export interface ExecStart {
  t: 'exec';
  s: number;
  argv: string[];
  env: string[];
  workdir: string;
  tty: boolean;
  stdin: boolean;
  /** `docker exec -u`; the container's User when absent. */
  user?: string;
}

/** Messages the agent sends. */
export type AgentMessage =
  | {
      t: 'hello';
      v: number;
      containerId: string;
      /** Random per agent process, so the daemon tells a reconnect from a new agent. */
      instance: string;
      pid: number;
      sessions: SessionReport[];
      /** Output of the main process dropped while disconnected, up to this time (ms). */
      droppedUntil?: number;
      /** The hostname the container's processes see (Docker's, unless the replica did not let the agent set it). */
      hostname?: string;
    }
  | { t: 'started'; s: number; pid: number }
  /**
   * A session's process ended and all its output was sent; repeated until acknowledged.
   * `error` when it could not start at all (code 126/127, as a runtime's exec failure).
   */
  | { t: 'exit'; s: number; status: ExitStatus; error?: string }
  | { t: 'ack'; s: number; seq: number }
  | { t: 'stat'; s: number; stat?: PathStat; error?: { kind: ArchiveErrorKind; message: string } }
  /** End of a session's archive stream (get); `error` when it broke off. */
  | { t: 'end'; s: number; error?: string }
  | { t: 'putDone'; s: number; error?: { kind: ArchiveErrorKind; message: string } }
  /** The agent reached the port a `portOpen` named; data may flow. */
  | { t: 'portOpened'; s: number }
  | PortEnd
  | PortClose
  /** The answer to a `probe`. */
  | ({ t: 'probed'; s: number } & ProbeResult)
  /**
   * A connection to a peer (a container of this container's networks) accepted on the agent's
   * loopback address for it: the daemon relays it to the peer's agent. `s` is the agent's own
   * number, from AGENT_SESSIONS up; `portOpened` or `portClose` from the daemon answers it.
   */
  | { t: 'dial'; s: number; peer: string; port: number }
  /** A connection to the Docker socket the agent serves in the container (`-v /var/run/docker.sock:…`): the daemon's own API answers it. */
  | { t: 'dial'; s: number; daemon: true }
  /** The TCP ports something listens on in the replica (on user networks only; sent when they change). */
  | { t: 'listening'; ports: number[] }
  | { t: 'hb' };

/** Sessions the agent numbers itself (connections it relays to peers) start here; the daemon's stay below. */
export const AGENT_SESSIONS = 0x8000_0000;

/** A container the agent's container reaches by name: its names and the ports the agent listens on for it. */
export interface PeerInfo {
  /** The peer's container id. */
  id: string;
  /** Container name, network aliases (compose service names among them), short id. */
  names: string[];
  ports: number[];
}

/** Half-close of a port stream: the sender will send no more data on it (TCP FIN). Both directions. */
export interface PortEnd {
  t: 'portEnd';
  s: number;
}

/** A port stream aborted (could not connect, reset, or the other side is gone): drop it at once. Both directions. */
export interface PortClose {
  t: 'portClose';
  s: number;
  error?: string;
}

/** Messages the daemon sends. */
export type DaemonMessage =
  /** Accepts a hello: `acks` holds, per session the daemon knows, the last output seq it has. */
  | { t: 'welcome'; v: number; heartbeatMs: number; acks: Record<number, number> }
  | ExecStart
  | { t: 'stdinEnd'; s: number }
  | { t: 'signal'; s: number; signal: string }
  | { t: 'resize'; s: number; cols: number; rows: number }
  | { t: 'stat'; s: number; path: string }
  | { t: 'get'; s: number; path: string }
  | { t: 'put'; s: number; path: string; noOverwriteDirNonDir: boolean }
  | { t: 'putEnd'; s: number }
  /** Stop a session's archive work (the client went away). */
  | { t: 'cancel'; s: number }
  | { t: 'ack'; s: number; seq: number }
  | { t: 'exitAck'; s: number }
  /** A TCP connection to a published port: the agent connects to `port` on the replica's loopback. */
  | { t: 'portOpen'; s: number; port: number }
  | PortEnd
  | PortClose
  /** Read the container's process table or one usage sample (`docker top`, `docker stats`). */
  | { t: 'probe'; s: number; what: ProbeKind }
  /** The peer reached the port of a `dial`: data flows both ways as `port` frames. */
  | { t: 'portOpened'; s: number }
  /** Every container of this container's user networks it can reach now (the whole list, on each change). */
  | { t: 'peers'; peers: PeerInfo[] }
  | { t: 'hb' };

export class ProtocolError extends Error {}

const agentTypes = new Set(['hello', 'started', 'exit', 'ack', 'stat', 'end', 'putDone', 'portOpened', 'portEnd', 'portClose', 'probed', 'dial', 'listening', 'hb']);
const daemonTypes = new Set([
  'welcome', 'exec', 'stdinEnd', 'signal', 'resize', 'stat', 'get', 'put', 'putEnd', 'cancel', 'ack', 'exitAck', 'portOpen', 'portEnd', 'portClose', 'probe', 'portOpened', 'peers', 'hb',
]);

function parse(text: string, types: Set<string>): { t: string; s?: unknown } {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new ProtocolError('control frame is not JSON');
  }
  if (typeof msg !== 'object' || msg === null) throw new ProtocolError('control frame is not an object');
  const { t, s } = msg as { t?: unknown; s?: unknown };
  if (typeof t !== 'string' || !types.has(t)) throw new ProtocolError(`unknown message type ${JSON.stringify(t)}`);
  if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s < 0)) throw new ProtocolError('bad session id');
  return msg as { t: string };
}

/** Parses a control frame from the agent; throws ProtocolError on anything malformed. */
export const decodeAgentMessage = (text: string): AgentMessage => parse(text, agentTypes) as AgentMessage;

/** Parses a control frame from the daemon; throws ProtocolError on anything malformed. */
export const decodeDaemonMessage = (text: string): DaemonMessage => parse(text, daemonTypes) as DaemonMessage;

export const encodeMessage = (msg: AgentMessage | DaemonMessage): string => JSON.stringify(msg);

/** WebSocket close codes the two sides use. */
export const CLOSE = {
  /** A frame that does not parse: the connection is closed, the daemon keeps running. */
  protocolError: 4400,
  /** Another connection of the same agent took over. */
  replaced: 4409,
  /** The container is gone or no longer runs this agent. */
  gone: 4410,
} as const;
