// The in-job agent: `agent -- <entrypoint> <cmd...>`. It becomes the container's init, runs the
// command, and dials the daemon (SOCKERLESS_CALLBACK_URL) so the daemon gets live output, the
// exact exit code, exec, attach stdin, signals and `docker cp`. See PROTOCOL.md.
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from './agent';
import { serveDockerSocket } from './docker-socket';
import { PeerListeners } from './peers';
import type { PeerInfo } from './protocol';

const AGENT_VARIABLES = [
  'SOCKERLESS_CALLBACK_URL', 'SOCKERLESS_CONTAINER_ID', 'SOCKERLESS_AGENT_TOKEN', 'SOCKERLESS_WORKDIR',
  'SOCKERLESS_STDIN', 'SOCKERLESS_TTY', 'SOCKERLESS_AGENT_DEBUG', 'SOCKERLESS_AGENT_LINGER_MS', 'SOCKERLESS_AGENT_CA', 'SOCKERLESS_CARRIED_ENV',
  'SOCKERLESS_USER', 'SOCKERLESS_INIT', 'SOCKERLESS_HOSTNAME', 'SOCKERLESS_VOLUMES',
  'SOCKERLESS_AGENT_KEY', 'SOCKERLESS_AGENT_NONCE', 'SOCKERLESS_PEERS', 'SOCKERLESS_DOCKER_SOCKET', 'SOCKERLESS_CONTAINER_NAME',
];

const separator = process.argv.indexOf('--');
const argv = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (argv.length === 0) {
  process.stderr.write('usage: agent -- COMMAND [ARG...]\n');
  process.exit(125);
}

const own = { ...process.env };
// The user's processes never see the agent's settings, the token least of all.
const env = { ...process.env };
for (const name of AGENT_VARIABLES) delete env[name];
// Variables whose names ACA refuses in a job's env (e.g. spring.profiles.active) come as one JSON object.
Object.assign(env, carriedEnv(own.SOCKERLESS_CARRIED_ENV));

const debug = own.SOCKERLESS_AGENT_DEBUG ? (m: string) => process.stderr.write(`[sockerless-agent] ${m}\n`) : undefined;

// ACA's container spec has no working directory, so the agent applies Docker's WorkingDir and,
// like a runtime, creates it when the image lacks it.
let workdir = process.cwd();
if (own.SOCKERLESS_WORKDIR) {
  workdir = own.SOCKERLESS_WORKDIR;
  mkdirSync(workdir, { recursive: true });
}

// Only as the container's init (PID 1 of its own namespaces: an ACA replica, or the simulator's
// isolated one) does the agent touch the system: run as a plain process it would be the host's.
const init = process.pid === 1;

// Docker's mount points (named and anonymous volumes): a runtime creates the directory it
// mounts on; ACA's EmptyDir mounts already exist, so this only matters where none is mounted.
for (const path of init ? (own.SOCKERLESS_VOLUMES ?? '').split('\n').filter((p) => p.startsWith('/')) : []) {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    debug?.(`cannot create the mount point ${path}: ${(err as Error).message}`);
  }
}

// Docker's hostname (the short id unless --hostname), where the replica lets the agent set it
// (its own UTS namespace); otherwise the process sees the replica's name, which the agent reports.
if (init && own.SOCKERLESS_HOSTNAME) {
  try {
    writeFileSync('/proc/sys/kernel/hostname', own.SOCKERLESS_HOSTNAME);
  } catch (err) {
    debug?.(`cannot set the hostname: ${(err as Error).message}`);
  }
}

// On a job shared by many containers the token is derived from the job's key and this start's nonce.
const token =
  own.SOCKERLESS_AGENT_TOKEN ??
  (own.SOCKERLESS_AGENT_KEY && own.SOCKERLESS_AGENT_NONCE && own.SOCKERLESS_CONTAINER_ID
    ? createHmac('sha256', own.SOCKERLESS_AGENT_KEY).update(`${own.SOCKERLESS_CONTAINER_ID}.${own.SOCKERLESS_AGENT_NONCE}`).digest('base64url')
    : undefined);
const callback =
  own.SOCKERLESS_CALLBACK_URL && own.SOCKERLESS_CONTAINER_ID && token
    ? { url: own.SOCKERLESS_CALLBACK_URL, containerId: own.SOCKERLESS_CONTAINER_ID, token, ...(own.SOCKERLESS_AGENT_CA && { ca: own.SOCKERLESS_AGENT_CA }) }
    : undefined;

// Names of the containers of this one's user networks, in /etc/hosts before the command starts
// (SOCKERLESS_PEERS: those running when the job was made; the daemon sends changes). As init only.
const initialPeers = peersOf(own.SOCKERLESS_PEERS);
const peers = init ? new PeerListeners({ hostsFile: '/etc/hosts', debug }) : undefined;
if (peers && initialPeers) await peers.update(initialPeers);
// The Docker socket the container binds, served by the daemon through this agent (SOCKERLESS_DOCKER_SOCKET: its path inside).
if (peers && own.SOCKERLESS_DOCKER_SOCKET?.startsWith('/')) {
  await serveDockerSocket(own.SOCKERLESS_DOCKER_SOCKET, peers).catch((err) => process.stderr.write(`[sockerless-agent] cannot serve the Docker socket at ${own.SOCKERLESS_DOCKER_SOCKET}: ${(err as Error).message}\n`));
}

const agent = new Agent({
  argv,
  env,
  workdir,
  stdin: own.SOCKERLESS_STDIN === '1',
  tty: own.SOCKERLESS_TTY === '1',
  user: own.SOCKERLESS_USER || undefined,
  init: own.SOCKERLESS_INIT === '1',
  callback,
  lingerMs: Number(own.SOCKERLESS_AGENT_LINGER_MS ?? 30_000),
  disconnectedLimit: 4 * 1024 * 1024,
  peers,
  onUserNetwork: initialPeers !== undefined,
  debug,
});

// As init, the agent outlives the signals a runtime sends and passes them on.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
  process.on(signal, () => agent.forward(signal));
}

const status = await agent.run();
process.exitCode = status.code;
// Leave at once: the console must not wait on anything else the event loop still holds.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status.code)));

function carriedEnv(json: string | undefined): Record<string, string> {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError();
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // Not the parser's message: it quotes the text, which holds the variables' values.
    process.stderr.write('[sockerless-agent] ignoring SOCKERLESS_CARRIED_ENV: not a JSON object of strings\n');
    return {};
  }
}

function peersOf(json: string | undefined): PeerInfo[] | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) throw new TypeError();
    return parsed.filter(
      (p): p is PeerInfo => typeof p?.id === 'string' && Array.isArray(p.names) && p.names.every((n: unknown) => typeof n === 'string') && Array.isArray(p.ports) && p.ports.every(Number.isInteger),
    );
  } catch {
    process.stderr.write('[sockerless-agent] ignoring SOCKERLESS_PEERS: not a JSON list of peers\n');
    return [];
  }
}
