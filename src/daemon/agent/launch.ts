import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { JobSpec } from '../../aca/cloud';
import { bundleAgent } from './bundle';

/**
 * How the agent gets into a job. `local`: the embedded simulator runs the job's command as a
 * local process, so the command is this project's agent run by this Node. `image`: real ACA
 * (or the simulator with SOCKERLESS_AGENT=image); an init container from `image` (built by
 * `npm run agent:image`) copies the portable agent into an EmptyDir mounted at /sockerless in
 * both containers, and the main container runs `/sockerless/agent`. `off`: no
 * agent (today's image command as is; exec, attach stdin and cp then answer why they cannot).
 */
export type AgentLaunch = { kind: 'off' } | { kind: 'local'; command: string[] } | { kind: 'image'; image: string };

export const AGENT_DIR = '/sockerless';
const TOKEN_SECRET = 'sockerless-agent-token';

/**
 * The agent of this checkout, run by this Node: its bundle when it could be built, else its
 * sources through tsx's loader (absolute paths: the job's working directory is its own).
 */
export async function localAgentCommand(): Promise<string[]> {
  const bundle = await bundleAgent().catch(() => undefined);
  if (bundle) return [process.execPath, bundle];
  const loader = createRequire(import.meta.url).resolve('tsx');
  const main = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
  return [process.execPath, '--import', loader, main];
}

export interface AgentJobInput {
  launch: Exclude<AgentLaunch, { kind: 'off' }>;
  callbackUrl: string;
  containerId: string;
  token: string;
  workdir: string;
  /** Docker's `--user` (`name`, `uid`, `name:group`, `uid:gid`); the agent resolves it in the container. */
  user?: string;
  stdin: boolean;
  tty: boolean;
  /** A PEM the agent trusts for its wss:// callback (a private CA). */
  ca?: string;
  /** Docker's Init (HostConfig.Init), hostname and mount points, which the agent applies. */
  init?: boolean;
  hostname?: string;
  mountPoints?: string[];
  /** The containers of its user networks it reaches by name (JSON of PeerInfo[]); absent off user networks. */
  peers?: string;
  /** Where the container binds the Docker socket, which the agent serves there (the daemon's own API). */
  dockerSocket?: string;
}

/** What the agent adds to a job: its command around the user's, its settings, the token as a secret. */
export function withAgent(spec: JobSpec, argv: string[], agent: AgentJobInput): JobSpec {
  const prefix = agent.launch.kind === 'local' ? agent.launch.command : [`${AGENT_DIR}/agent`];
  const settings = [
    { name: 'SOCKERLESS_CALLBACK_URL', value: agent.callbackUrl },
    { name: 'SOCKERLESS_CONTAINER_ID', value: agent.containerId },
    ...(agent.workdir ? [{ name: 'SOCKERLESS_WORKDIR', value: agent.workdir }] : []),
    ...(agent.user ? [{ name: 'SOCKERLESS_USER', value: agent.user }] : []),
    ...(agent.stdin ? [{ name: 'SOCKERLESS_STDIN', value: '1' }] : []),
    ...(agent.tty ? [{ name: 'SOCKERLESS_TTY', value: '1' }] : []),
    ...(agent.ca ? [{ name: 'SOCKERLESS_AGENT_CA', value: agent.ca }] : []),
    ...(agent.init ? [{ name: 'SOCKERLESS_INIT', value: '1' }] : []),
    ...(agent.hostname ? [{ name: 'SOCKERLESS_HOSTNAME', value: agent.hostname }] : []),
    ...(agent.mountPoints?.length ? [{ name: 'SOCKERLESS_VOLUMES', value: agent.mountPoints.join('\n') }] : []),
    ...(agent.peers !== undefined ? [{ name: 'SOCKERLESS_PEERS', value: agent.peers }] : []),
    ...(agent.dockerSocket ? [{ name: 'SOCKERLESS_DOCKER_SOCKET', value: agent.dockerSocket }] : []),
  ];
  return {
    ...spec,
    command: [...prefix, '--', ...argv],
    args: undefined,
    // Its settings replace any same-named variable already in the spec (the container's id on a shared job).
    env: [...spec.env.filter((e) => !settings.some((s) => s.name === e.name)), ...settings, { name: 'SOCKERLESS_AGENT_TOKEN', secretRef: TOKEN_SECRET }],
    secrets: [...(spec.secrets ?? []), { name: TOKEN_SECRET, value: agent.token }],
    ...(agent.launch.kind === 'image' && {
      initContainers: [{ name: 'sockerless-agent', image: agent.launch.image, command: ['/agent', 'install', AGENT_DIR] }],
      sharedDirs: [{ name: 'sockerless-agent', mountPath: AGENT_DIR }],
    }),
  };
}
