import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: fields are counted after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (clock ticks since boot): with the pid, it names one process for good. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True while the process that had `startTime` runs (a zombie has ended). */
export function sameProcessAlive(pid: number, startTime: string): boolean {
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[19] === startTime;
}

export type Disposition = 'caught' | 'ignored' | 'default';

/** How the process handles `signal`, from the SigCgt/SigIgn masks of /proc/PID/status. */
export function signalDisposition(pid: number, signal: NodeJS.Signals): Disposition | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  const mask = (name: string): bigint => {
    const match = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    return match ? BigInt(`0x${match[1]}`) : 0n;
  };
  if ((mask('SigCgt') & bit) !== 0n) return 'caught';
  if ((mask('SigIgn') & bit) !== 0n) return 'ignored';
  return 'default';
}

/** Signals whose default action is not to end the process. */
const NON_TERMINATING: ReadonlySet<NodeJS.Signals> = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

export const endsByDefault = (signal: NodeJS.Signals): boolean => !NON_TERMINATING.has(signal);

/** The argv of a process (empty once it ended). */
export function processArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}
