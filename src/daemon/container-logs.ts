import { SHARED_JOB_PREFIX } from '../aca/job-shape';
import type { Cloud, LogRow } from '../aca/cloud';
import type { ContainerRef, Daemon } from './daemon';
import { followLogs } from './follow-logs';
import type { LiveLine, LiveLog } from './live-log';

export interface LogsOptions {
  since?: Date;
  until?: Date;
  tail?: number;
  follow: boolean;
  pollIntervalMs: number;
  /** After an execution ended without the agent delivering everything, how long Log Analytics may still ingest. */
  settleMs: number;
  signal: AbortSignal;
}

/**
 * `docker logs`: Log Analytics for what is older than the live log's seam, the live log (the
 * agent's delivery) from the seam on, so a line is served once whichever source holds it.
 * Following waits on the live log itself: a line reaches the client as soon as the agent
 * delivers it. A container whose starts have no agent is served from Log Analytics alone.
 */
export async function* containerLogs(cloud: Cloud, daemon: Daemon, ref: ContainerRef, opts: LogsOptions): AsyncGenerator<LogRow> {
  const live = daemon.agents.liveLog(ref.id);
  const { jobName, execution } = ref.getSnapshot().context;
  // A shared job's console holds every container of its shape: only this container's execution is
  // asked for (its earlier executions' output is served from the live log while it is kept).
  const onlyExecution = jobName.startsWith(SHARED_JOB_PREFIX) && execution?.jobName === jobName ? { executionName: execution.executionName } : {};
  const running = () => ref.getSnapshot().status === 'active' && ref.getSnapshot().matches('running');
  const delivering = () => {
    const link = daemon.agents.link(ref.id);
    return running() && !!link && !link.closed;
  };
  const untilMs = opts.until?.getTime() ?? Infinity;
  const wanted = (l: LiveLine) => l.ms <= untilMs && (!opts.since || l.ms >= opts.since.getTime());
  let position = opts.since?.getTime() ?? 0;
  let lastSeq = 0;
  const tail = opts.tail;

  for (let first = true; !opts.signal.aborted; first = false) {
    const seam = live.completeSince;
    const arrived = live.linesAfter(lastSeq);
    let fresh = arrived.filter((l) => l.ms >= seam && wanted(l));
    if (first && tail !== undefined && fresh.length >= tail) {
      fresh = fresh.slice(fresh.length - tail);
      position = seam;
    }
    if (position < seam && position <= untilMs) {
      // The seam moved past us (first pass, or lines the live log could not keep): Log Analytics fills in.
      yield* followLogs(cloud, {
        jobName,
        ...onlyExecution,
        since: position ? new Date(position) : undefined,
        until: seam === Infinity ? opts.until : new Date(Math.min(seam - 1, untilMs)),
        tail: first && tail !== undefined ? tail - fresh.length : undefined,
        follow: !!opts.follow && seam === Infinity,
        ended: () => !running(),
        subscribe: (wake) => {
          const off = cloud.onChange(wake);
          const sub = ref.subscribe({ next: () => !running() && wake(), complete: wake });
          return () => (off(), sub.unsubscribe());
        },
        pollIntervalMs: opts.pollIntervalMs,
        settleMs: first ? 0 : opts.settleMs,
        signal: opts.signal,
      });
      position = seam;
      if (seam === Infinity) return;
    }
    lastSeq = arrived.at(-1)?.seq ?? lastSeq;
    for (const line of fresh) {
      position = line.ms;
      yield line;
    }
    if (!opts.follow || !delivering() || position > untilMs) return;
    await change(live, ref, opts.signal);
  }
}

/** Resolves on the next live line, seam move, state change of the container, or abort. */
function change(live: LiveLog, ref: ContainerRef, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      off();
      sub.unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const off = live.subscribe(done);
    const sub = ref.subscribe({ next: done, complete: done, error: done });
    signal.addEventListener('abort', done, { once: true });
  });
}
