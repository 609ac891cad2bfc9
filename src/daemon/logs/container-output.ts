import type { Cloud, LogRow } from '../../aca/cloud';
import type { ContainerRef, ContainerSnapshot } from '../daemon';
import { followLogs } from './follow-logs';

export interface OutputOptions {
  /** Told which execution the stream follows, once it knows. */
  onExecution?: (executionName: string) => void;
  pollIntervalMs: number;
  settleMs: number;
  signal?: AbortSignal;
}

/** Resolves with the first snapshot that satisfies `test`, or undefined if the actor stops first. */
export function nextSnapshot(ref: ContainerRef, test: (s: ContainerSnapshot) => boolean, signal?: AbortSignal) {
  return new Promise<ContainerSnapshot | undefined>((resolve) => {
    // An actor that has already stopped completes inside subscribe(), before `sub` exists.
    let sub: { unsubscribe(): void } | undefined;
    let settled = false;
    const finish = (s: ContainerSnapshot | undefined) => {
      if (settled) return;
      settled = true;
      sub?.unsubscribe();
      resolve(s);
    };
    const check = () => {
      const s = ref.getSnapshot();
      if (test(s)) finish(s);
      else if (s.status !== 'active' || signal?.aborted) finish(undefined);
    };
    sub = ref.subscribe({ next: check, complete: check, error: check });
    if (settled) sub.unsubscribe();
    signal?.addEventListener('abort', check, { once: true });
    check();
  });
}

/**
 * What `attach` shows without an agent: the output of the container's current execution (from
 * now on), or, when it is not running, of its next one (from its start), read from Log
 * Analytics until that execution ends.
 */
export async function* containerOutput(cloud: Cloud, ref: ContainerRef, opts: OutputOptions): AsyncGenerator<LogRow> {
  const first = ref.getSnapshot();
  let since: Date | undefined;
  let snap: ContainerSnapshot | undefined = first;
  if (first.matches('running')) {
    since = new Date();
  } else {
    const before = first.context.execution?.executionName;
    const finished = first.context.finishedAt;
    snap = await nextSnapshot(ref, (s) => s.context.execution?.executionName !== before || s.context.finishedAt !== finished, opts.signal);
    if (!snap?.context.execution || snap.context.execution.executionName === before) return;
  }
  const execution = snap.context.execution!;
  opts.onExecution?.(execution.executionName);
  const current = () => {
    const s = ref.getSnapshot();
    return s.status === 'active' && s.matches('running') && s.context.execution?.executionName === execution.executionName;
  };
  yield* followLogs(cloud, {
    jobName: execution.jobName,
    executionName: execution.executionName,
    since,
    follow: true,
    ended: () => !current(),
    subscribe: (wake) => {
      const off = cloud.onChange(wake);
      const sub = ref.subscribe({ next: () => !current() && wake(), complete: wake, error: wake });
      return () => {
        off();
        sub.unsubscribe();
      };
    },
    ...opts,
  });
}
