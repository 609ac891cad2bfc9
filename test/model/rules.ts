// Docker's rules for the container lifecycle (README "The container lifecycle"), written apart from the
// chart: given where the model path is, they say what a Docker user must see. Where Docker has
// no counterpart (a container that is still `starting` on ACA), the chart's documented choice
// is taken and marked so.
import type { AnyMachineSnapshot, EventObject } from 'xstate';

export type Phase = 'created' | 'starting' | 'launching' | 'up' | 'stopping' | 'exited' | 'backoff' | 'restarting' | 'removing' | 'dead' | 'removed';
export type DockerStatus = 'created' | 'running' | 'exited' | 'restarting' | 'removing' | 'dead';

/** When a request is answered: at once, or when the container first gets somewhere. */
export type Due = 'now' | 'running' | 'exit' | 'removed';

export interface ExpectedReply {
  status: number;
  due: Due;
  /** `wait` answers 200 with the exit code at the time it is answered. */
  wait?: boolean;
}

export function phaseOf(snapshot: AnyMachineSnapshot): Phase {
  const value = snapshot.value as string | Record<string, unknown>;
  const top = typeof value === 'string' ? value : Object.keys(value)[0]!;
  if (top === 'running') return snapshot.matches({ running: 'stopping' }) ? 'stopping' : snapshot.matches({ running: 'launching' }) ? 'launching' : 'up';
  // Rule 7: waiting out the back-off before a restart by policy.
  if (top === 'exited' && snapshot.matches({ exited: 'backoff' })) return 'backoff';
  const known: Phase[] = ['created', 'starting', 'exited', 'restarting', 'removing', 'dead', 'removed'];
  if (!known.includes(top as Phase)) throw new Error(`the Docker rules know no phase for state ${JSON.stringify(value)}: add it to test/model/rules.ts`);
  return top as Phase;
}

/** What `docker inspect` shows in each phase; `removed` is a 404. */
export function dockerStatusOf(phase: Phase): DockerStatus | 'gone' {
  const map: Record<Phase, DockerStatus | 'gone'> = {
    created: 'created', starting: 'created', launching: 'running', up: 'running', stopping: 'running', exited: 'exited', backoff: 'restarting',
    restarting: 'restarting', removing: 'removing', dead: 'dead', removed: 'gone',
  };
  return map[phase];
}

/**
 * Where the chart differs from Docker today. Each is kept (and reported) so the suite stays
 * green meanwhile; set one to false once the chart is fixed, and the suite proves it.
 */
export const chartDeviations = {
  /** `kill -s TERM` while starting replaces an earlier SIGKILL (`rm -f`, `kill`), so the run ends with the process's own code, not 137. */
  killWhileStartingReplacesSigkill: true,
  /** `docker update` emits no `update` event. */
  updateNotAnnounced: true,
};

const signalNumbers: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGUSR1: 10, SIGQUIT: 3 };
const now = (status: number): ExpectedReply => ({ status, due: 'now' });
const later = (status: number, due: Due): ExpectedReply => ({ status, due });
const running = (p: Phase) => p === 'launching' || p === 'up' || p === 'stopping';
/** Not yet known to run: the start under way, or (chart) the launch the agent has not confirmed. */
const pending = (p: Phase) => p === 'starting' || p === 'launching';

/**
 * The rules, with the little they must remember along a path: the exit code, and what was asked
 * of the current run (a SIGKILL makes it 137; a `docker stop` makes its end announce `stop`).
 */
export class DockerRules {
  exitCode = 0;
  /** Restarts by policy since the user last started the container (rule 7). */
  restartCount = 0;
  #autoRestart = false;
  #sigkill = false;
  #stopBy: 'stop' | 'kill' | null = null;
  #restart = false;
  #processExit: number | undefined;
  /** The chart gave up on an execution ACA never ran (its schedule timeout): nothing ran. */
  #neverRan = false;

  /** The answer a request gets in `phase` (rule 1: 304/409; rule 2: remove; rule 8: 501). */
  reply(phase: Phase, event: EventObject, agent = false): ExpectedReply | undefined {
    const e = event as EventObject & { force?: boolean; condition?: string; signal?: string; resources?: boolean };
    const busy = phase === 'restarting' || phase === 'removing';
    if (phase === 'backoff') {
      // A restart by policy is pending (moby: stop cancels it; kill and rm without force refuse).
      if (e.type === 'START') return now(304);
      if (e.type === 'STOP') return now(204);
      if (e.type === 'KILL' || (e.type === 'REMOVE' && !e.force)) return now(409);
      if (e.type === 'WAIT' && e.condition === 'not-running') return { status: 200, due: 'exit', wait: true };
    }
    switch (e.type) {
      case 'START':
        if (running(phase)) return now(304);
        if (busy || phase === 'dead') return now(409);
        return later(204, 'running');
      case 'STOP':
        if (phase === 'created' || phase === 'exited' || phase === 'dead') return now(304);
        if (busy) return now(409);
        return later(204, 'exit');
      case 'RESTART':
        if (busy || phase === 'dead') return now(409);
        return later(204, 'running');
      case 'KILL':
        // Through a connected agent a signal other than SIGKILL is delivered, not a stop.
        if (phase === 'up' && agent && e.signal !== 'SIGKILL') return now(204);
        if (phase === 'starting' || running(phase)) return later(204, 'exit');
        return now(409);
      case 'UPDATE':
        // Chart: ACA cannot resize a replica, so resources change only while nothing runs.
        return now(e.resources && (phase === 'starting' || running(phase)) ? 409 : 200);
      case 'REMOVE':
        if (busy) return now(409);
        if ((phase === 'starting' || running(phase)) && !e.force) return now(409);
        return later(204, 'removed');
      case 'WAIT':
        if (e.condition === 'removed') return { status: 200, due: 'removed', wait: true };
        if (e.condition === 'not-running' && (phase === 'created' || phase === 'exited' || phase === 'dead')) return { status: 200, due: 'now', wait: true };
        return { status: 200, due: 'exit', wait: true };
      case 'PAUSE':
      case 'UNPAUSE':
        return now(501);
      case 'RENAME':
        return now(204);
      default:
        return undefined;
    }
  }

  /** The Docker events a request emits at once (the `kill` of rule 6), and what it asks of the run. */
  requested(phase: Phase, event: EventObject, agent = false): string[] {
    const e = event as EventObject & { force?: boolean; signal?: string };
    const reply = this.reply(phase, event, agent);
    if (!reply || reply.status >= 300) return e.type === 'RENAME' ? ['rename'] : [];
    const active = phase === 'starting' || running(phase);
    if (e.type === 'RENAME') return ['rename'];
    if (e.type === 'UPDATE') return chartDeviations.updateNotAnnounced ? [] : ['update'];
    if (phase === 'backoff' && e.type === 'STOP') return ['stop'];
    if (e.type === 'KILL' && reply.due === 'now') return [`kill:${signalNumbers[e.signal!] ?? e.signal}`];
    if (e.type === 'KILL' && active) {
      // Chart: while stopping, only a SIGKILL changes what was asked.
      if (phase !== 'stopping' || e.signal === 'SIGKILL') this.#stopBy = 'kill';
      if (e.signal === 'SIGKILL') this.#sigkill = true;
      else if (pending(phase) && chartDeviations.killWhileStartingReplacesSigkill) this.#sigkill = false;
      return [`kill:${signalNumbers[e.signal!] ?? e.signal}`];
    }
    if (e.type === 'REMOVE' && e.force && active) {
      this.#stopBy = 'kill';
      this.#sigkill = true;
      // Chart: the removal replaces a restart under way, which then goes unannounced.
      this.#restart = false;
      return ['kill:9'];
    }
    if (e.type === 'STOP' || e.type === 'RESTART') {
      if (e.type === 'RESTART') this.#restart = true;
      if (pending(phase) || phase === 'up') this.#stopBy ??= 'stop';
      // Chart: a stop asked while starting is sent, unannounced, once the execution runs.
      if (phase === 'up') return ['kill:15'];
    }
    return [];
  }

  /** The agent reported the process's end: its code is exact (rule 5). */
  processExited(code: number): void {
    this.#processExit = code;
  }

  /** The stop reached SIGKILL through the agent (the grace ran out, or `kill` while stopping). */
  killSent(): void {
    this.#sigkill = true;
  }

  /** Events and exit code as the container moves from `from` to `to` within a step. */
  moved(from: Phase, to: Phase, cause: EventObject, outcome?: { exitCode?: number; failed?: boolean }): string[] {
    const events: string[] = [];
    if (to === 'backoff' && from !== 'backoff') this.restartCount++;
    if (from === 'backoff' && to === 'restarting') {
      this.#autoRestart = true;
      this.#restart = true;
    }
    if (to === 'starting' && from !== 'starting') {
      if (!this.#autoRestart) this.restartCount = 0;
      this.#autoRestart = false;
      this.#sigkill = false;
      this.#stopBy = null;
      this.#processExit = undefined;
      this.#neverRan = false;
    }
    // Chart: an execution never seen running is stopped after the schedule timeout.
    if ((from === 'up' || from === 'launching') && to === 'stopping' && cause.type.startsWith('xstate.after.scheduleTimeout')) this.#neverRan = true;
    if (to === 'up' && pending(from)) {
      events.push('start');
      if (this.#restart) events.push('restart');
      this.#restart = false;
    }
    // From the back-off, a stop only cancels the restart: nothing ran, nothing dies.
    if (to === 'exited' && from !== 'exited' && from !== 'backoff') {
      // A start that timed out (chart: ARM never finished it) ran nothing; Docker's code for that is 128.
      if (from === 'starting') this.exitCode = cause.type.startsWith('xstate.after.operationTimeout') ? 128 : 127; // else the injected failure: command not found
      else if (this.#neverRan) this.exitCode = 128;
      else if (outcome?.failed) this.exitCode = 1; // the execution could not be watched any more
      else if (this.#processExit !== undefined) this.exitCode = this.#processExit; // rule 5: the agent's code
      else this.exitCode = this.#sigkill ? 137 : (outcome?.exitCode ?? 0); // rule 5
      events.push(`die:${this.exitCode}`);
      if (this.#stopBy === 'stop') events.push('stop');
      if (from === 'starting') this.#restart = false;
    }
    if (to === 'removed') events.push('destroy');
    return events;
  }
}
