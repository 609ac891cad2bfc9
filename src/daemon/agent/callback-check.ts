// On Azure the agent runs in a replica in Azure's network: it can dial neither a unix socket nor
// a loopback address of the daemon's machine. Without this check it would try for the agent wait
// (180 s) and attach would then fall back to Log Analytics, every time.
import { isLoopback, type ListenAddress } from '../../listen';

const REMEDY =
  'set SOCKERLESS_CALLBACK_URL to a ws:// or wss:// URL of this daemon that replicas in the ACA environment can reach ' +
  '(a public or VNet address, a tunnel or reverse proxy to its /agent route), or SOCKERLESS_AGENT=off to run without the agent';

/** Why jobs on Azure could not dial `url`; undefined when they may. */
export function unreachableCallback(url: string): string | undefined {
  if (url.startsWith('ws+unix:') || url.startsWith('unix:')) return `the agent callback ${url} is a unix socket, which a job running on Azure cannot reach: ${REMEDY}`;
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `the agent callback ${url} is not a ws:// or wss:// URL: ${REMEDY}`;
    host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return `the agent callback ${JSON.stringify(url)} is not a URL: ${REMEDY}`;
  }
  if (isLoopback(host) || host === '0.0.0.0' || host === '::') return `the agent callback ${url} is a loopback address, which a job running on Azure cannot reach: ${REMEDY}`;
  return undefined;
}

/**
 * The refusal at start for a daemon whose jobs run on Azure with the agent: the configured
 * callback, or (none configured) the one the daemon would derive from its listeners.
 */
export function callbackRefusal(configured: string | undefined, listeners: readonly ListenAddress[]): string | undefined {
  if (configured !== undefined && configured !== '') return unreachableCallback(configured);
  const first = listeners.find((a) => a.kind === 'unix') ?? listeners.find((a) => a.kind === 'tcp');
  if (!first) return `no agent callback: ${REMEDY}`;
  const derived = first.kind === 'unix' ? `ws+unix://${first.path}:/agent` : `ws://${first.host.includes(':') ? `[${first.host}]` : first.host}:${first.port}/agent`;
  const why = unreachableCallback(derived);
  return why && `SOCKERLESS_CALLBACK_URL is not set, and ${why}`;
}
