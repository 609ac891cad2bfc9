import type { Logger } from '../../log';
import type { AgentSettings } from '../daemon';
import { localAgentCommand, type AgentLaunch } from './launch';

/**
 * The agent's configuration from the environment. On the simulator the agent is this checkout's
 * (`local`); on Azure it comes from SOCKERLESS_AGENT_IMAGE through an init container, and
 * without one there is no agent. SOCKERLESS_AGENT=off turns it off everywhere;
 * SOCKERLESS_AGENT=local runs this checkout's agent with a standalone simulator on this host.
 */
export async function agentSettings(env: NodeJS.ProcessEnv, simulator: boolean, callbackUrl: () => string | undefined, logger: Logger): Promise<AgentSettings> {
  let launch: AgentLaunch = { kind: 'off' };
  const local = simulator || env.SOCKERLESS_AGENT === 'local';
  if (env.SOCKERLESS_AGENT !== 'off') {
    if (local) launch = { kind: 'local', command: await localAgentCommand() };
    else if (env.SOCKERLESS_AGENT_IMAGE) launch = { kind: 'image', image: env.SOCKERLESS_AGENT_IMAGE };
  }
  const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    launch,
    callbackUrl,
    heartbeatMs: number('SOCKERLESS_AGENT_HEARTBEAT_MS', 5_000),
    // Real ACA pulls the image and schedules a replica before the agent can dial.
    agentWaitMs: number('SOCKERLESS_AGENT_WAIT_MS', local ? 20_000 : 180_000),
    liveLogBytes: number('SOCKERLESS_LIVE_LOG_BYTES', 1024 * 1024),
    debug: (fields, message) => logger.debug(fields, message),
  };
}

/**
 * Where agents dial when SOCKERLESS_CALLBACK_URL is not set: the first unix socket
 * (`ws+unix:///path.sock:/agent`), else the first TCP listener (`ws://host:port/agent`). A TLS
 * listener is not used: the agent would need the daemon's CA and, with --tlsverify, a client
 * certificate; set SOCKERLESS_CALLBACK_URL for that case. Undefined: no agent.
 */
export function agentCallbackUrl(listenerUrls: string[], tls: boolean): string | undefined {
  const unix = listenerUrls.find((u) => u.startsWith('unix://'));
  if (unix) return `ws+unix://${unix.slice('unix://'.length)}:/agent`;
  const tcp = listenerUrls.find((u) => u.startsWith('tcp://'));
  if (!tcp || tls) return undefined;
  return `ws://${tcp.slice('tcp://'.length).replace(/^0\.0\.0\.0:/, '127.0.0.1:')}/agent`;
}
