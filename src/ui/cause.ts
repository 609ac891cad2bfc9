// What lay behind a container's transition, in words a person reads: the Docker request, the
// cloud call that finished or failed, the agent's message, a timer, or the daemon's restart.
import type { AnyEventObject } from 'xstate';

export type CauseSource = 'api' | 'cloud' | 'agent' | 'timer' | 'daemon';

export interface Cause {
  source: CauseSource;
  /** e.g. `runJob succeeded`, `stopExecution failed (throttled): …`, `process exited 3 (SIGTERM)`. */
  text: string;
}

const MAX_TEXT = 300;

const API_EVENTS: Record<string, string> = {
  START: 'docker start', STOP: 'docker stop', KILL: 'docker kill', RESTART: 'docker restart',
  REMOVE: 'docker rm', WAIT: 'docker wait', UNWAIT: 'docker wait ended', PAUSE: 'docker pause',
  UNPAUSE: 'docker unpause', RENAME: 'docker rename', UPDATE: 'docker update',
};

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return `${typeof kind === 'string' ? `(${kind}) ` : ''}${error.message}`;
  }
  return String(error);
}

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/**
 * `callOf` names the invoked actor behind an `xstate.done.actor.*` / `xstate.error.actor.*`
 * event (its id is generated from the state, so the name comes from the snapshot before).
 */
export function causeOf(event: AnyEventObject, callOf: (invokeId: string) => string | undefined): Cause {
  const cause = describe(event, callOf);
  if (event.type.startsWith('xstate.error.') || event.error !== undefined) return cause;
  // The rest come from a small vocabulary: one shared object each, however many containers.
  const key = `${cause.source}|${cause.text}`;
  let shared = common.get(key);
  if (!shared) common.set(key, (shared = Object.freeze(cause)));
  return shared;
}

const common = new Map<string, Cause>();

/**
 * The event as the generated diagram labels its edges: `START`, `done: runJob`,
 * `error: runJob`, `after cloudRetryDelay` (the page finds the edge that was taken by it).
 */
export function triggerOf(event: AnyEventObject, callOf: (invokeId: string) => string | undefined): string {
  const actor = /^xstate\.(done|error)\.actor\.(.*)$/.exec(event.type);
  const after = /^xstate\.after\.([^.]+)\./.exec(event.type);
  const trigger = actor ? `${actor[1]}: ${callOf(actor[2]!) ?? ''}` : after ? `after ${after[1]}` : event.type;
  let shared = triggers.get(trigger);
  if (shared === undefined) triggers.set(trigger, (shared = trigger));
  return shared;
}

const triggers = new Map<string, string>();

function describe(event: AnyEventObject, callOf: (invokeId: string) => string | undefined): Cause {
  const type = event.type;
  if (type === 'xstate.init') return { source: 'api', text: 'docker create' };
  if (type in API_EVENTS) {
    const extra = type === 'KILL' ? ` ${String(event.signal)}` : type === 'REMOVE' && event.force ? ' --force' : '';
    return { source: 'api', text: API_EVENTS[type] + extra };
  }
  const done = /^xstate\.(done|error)\.actor\.(.*)$/.exec(type);
  if (done) {
    const call = callOf(done[2]!) ?? 'cloud call';
    if (done[1] === 'done') return { source: 'cloud', text: `${call} succeeded` };
    return { source: 'cloud', text: clip(`${call} failed: ${errorText(event.error)}`) };
  }
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  if (after) return { source: 'timer', text: /^\d+$/.test(after[1]!) ? `${after[1]} ms elapsed` : `${after[1]} elapsed` };
  switch (type) {
    case 'AGENT_CONNECTED': return { source: 'agent', text: 'agent connected' };
    case 'AGENT_LOST': return { source: 'agent', text: 'agent connection lost' };
    case 'PROCESS_EXITED': {
      const signal = event.signal ? ` (${String(event.signal)})` : '';
      const error = event.error ? `: ${String(event.error)}` : '';
      return { source: 'agent', text: clip(`process exited ${String(event.code)}${signal}${error}`) };
    }
    case 'EXECUTION_RUNNING': return { source: 'cloud', text: 'ACA reports the execution Running' };
    case 'RESUME': return { source: 'daemon', text: 'daemon restarted; actor restored' };
    default: return { source: 'daemon', text: type };
  }
}
