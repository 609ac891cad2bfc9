import { readFileSync } from 'node:fs';
import type { Logger } from '../../log';
import type { Settings } from '../../settings';
import type { AgentSettings } from '../daemon';
import { localAgentCommand, type AgentLaunch } from './launch';

/**
 * The agent's configuration from the settings. On the simulator the agent is this checkout's
 * (`local`); on Azure it comes from SOCKERLESS_AGENT_IMAGE through an init container, and
 * without one there is no agent. SOCKERLESS_AGENT=off turns it off everywhere;
 * SOCKERLESS_AGENT=local runs this checkout's agent with a standalone simulator on this host;
 * SOCKERLESS_AGENT=image injects SOCKERLESS_AGENT_IMAGE by init container on the simulator too.
 * SOCKERLESS_AGENT_CA (a PEM file) is handed to the agent for a wss:// callback with a private CA.
 */
export async function agentSettings(settings: Settings, simulator: boolean, callbackUrl: () => string | undefined, logger: Logger): Promise<AgentSettings> {
  let launch: AgentLaunch = { kind: 'off' };
  // SOCKERLESS_AGENT=image: the init-container injection even on the simulator (the job Azure would get).
  const byImage = settings.agent === 'image';
  if (byImage && !settings.agentImage) throw new Error('SOCKERLESS_AGENT=image needs SOCKERLESS_AGENT_IMAGE (the image `npm run agent:push` published)');
  const local = !byImage && (simulator || settings.agent === 'local');
  if (settings.agent !== 'off') {
    if (local) launch = { kind: 'local', command: await localAgentCommand() };
    else if (settings.agentImage) launch = { kind: 'image', image: settings.agentImage };
  }
  const caFile = settings.agentCaFile;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new Error(`SOCKERLESS_AGENT_CA: cannot read ${caFile}: ${(err as Error).message}`);
    }
  }
  return {
    launch,
    ...(ca && { ca }),
    callbackUrl,
    heartbeatMs: settings.agentHeartbeatMs,
    // Real ACA pulls the image and schedules a replica before the agent can dial.
    agentWaitMs: settings.agentWaitMs ?? (local ? 20_000 : 180_000),
    liveLogBytes: settings.liveLogBytes,
    publishHostIp: settings.publishHostIp,
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

/**
 * Whether image configs are read from the registry when SOCKERLESS_FETCH_IMAGE_CONFIG is not
 * set. The agent wraps the image's own ENTRYPOINT and CMD, so whenever jobs run real images
 * (Azure, or a simulator with the agent injected by image) the real config is needed; synthetic
 * configs are for the offline simulator (embedded, or reached by SOCKERLESS_ACA_ENDPOINT).
 */
export function fetchImageConfig(settings: Settings, embeddedSimulator: boolean): boolean {
  if (settings.fetchImageConfig !== undefined) return settings.fetchImageConfig;
  const azure = !embeddedSimulator && settings.endpoint === undefined;
  return azure || settings.agent === 'image';
}
