import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

import { LineSplitter } from './line-splitter';
import type { LogStream } from './log-store';

export type ChildEnd =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawnError'; error: NodeJS.ErrnoException };

/** A process's exit code as a shell reports it: its own code, or 128 + n when signal n ended it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}

/**
 * Hands every line of the replica's stdout and stderr pipes (the child's fd 1 and 2 unless given)
 * to onLine and resolves once the child exited and all its pipes are drained, so every line has
 * been handed over by then. `onExit` runs at the exit itself, before the drain.
 */
export function superviseChild(
  child: ChildProcess,
  onLine: (stream: LogStream, line: string) => void,
  onExit: () => void,
  pipes: Record<LogStream, Readable | null> = { stdout: child.stdout, stderr: child.stderr },
): Promise<ChildEnd> {
  const splitters: Record<LogStream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  pipes.stdout?.on('data', (chunk: Buffer) => splitters.stdout.push(chunk).forEach((l) => onLine('stdout', l)));
  pipes.stderr?.on('data', (chunk: Buffer) => splitters.stderr.push(chunk).forEach((l) => onLine('stderr', l)));
  return new Promise<ChildEnd>((resolve) => {
    let exit: ChildEnd | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ kind: 'spawnError', error });
    });
    child.once('exit', (code, signal) => {
      exit = { kind: 'exited', code, signal };
      onExit();
    });
    child.once('close', () => {
      if (exit === undefined) return;
      for (const stream of ['stdout', 'stderr'] as const) splitters[stream].flush().forEach((l) => onLine(stream, l));
      resolve(exit);
    });
  });
}

/** Sends `signal` to a process group; a group that is already gone is fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined || !(pid > 1)) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH
  }
}
