import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { ExitStatus } from './protocol';

/** A process's end as Docker reports it: its own code, or 128+n when signal n killed it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  if (signal) return { code: 128 + (constants.signals[signal] ?? 0), signal };
  return { code: code ?? 0 };
}

const signalNames = new Set(Object.keys(constants.signals));

/** `SIGTERM`, `TERM` or `15` → `SIGTERM`; undefined when the platform has no such signal. */
export function toSignal(name: string): NodeJS.Signals | undefined {
  const upper = name.trim().toUpperCase();
  if (/^\d+$/.test(upper)) {
    const n = Number(upper);
    return (Object.keys(constants.signals) as NodeJS.Signals[]).find((k) => constants.signals[k] === n);
  }
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return signalNames.has(full) ? (full as NodeJS.Signals) : undefined;
}

export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it has already gone.
  }
}

/** The process group of this process, from /proc (undefined where there is no /proc). */
function ownGroup(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * Whether the agent stands for the whole container: PID 1 of its namespace, or the leader of
 * the process group its runner signals (the simulator starts each replica as a group). Then the
 * user's processes share the agent's group, and ending the container means ending them all.
 */
export function ownsContainer(): boolean {
  return process.pid === 1 || ownGroup() === process.pid;
}

/**
 * Ends every other process of the container, as a runtime does when PID 1 exits: everything in
 * the agent's namespace (PID 1) or group; otherwise the group the main process was started in.
 */
export function killContainerProcesses(mainPid: number | undefined): void {
  if (!ownsContainer()) {
    if (mainPid !== undefined) sendSignal(-mainPid, 'SIGKILL');
    return;
  }
  const group = ownGroup();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (process.pid !== 1) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== group) continue;
      } catch {
        continue;
      }
    }
    sendSignal(pid, 'SIGKILL');
  }
}
