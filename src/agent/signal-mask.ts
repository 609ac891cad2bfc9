import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * Whether the process has a handler for `signal`, from the SigCgt mask in /proc/PID/status.
 * Undefined where that cannot be read (then the caller delivers the signal).
 */
export function catchesSignal(pid: number, signal: NodeJS.Signals): boolean | undefined {
  const n = constants.signals[signal];
  if (!n) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^SigCgt:\s*([0-9a-f]+)$/im.exec(status);
  if (!m) return undefined;
  return ((BigInt(`0x${m[1]}`) >> BigInt(n - 1)) & 1n) === 1n;
}

/**
 * The kernel's rule for a namespace's PID 1, which Docker's command is: a signal sent from inside
 * the container (or by the runtime, `docker kill`/`stop`) that PID 1 has no handler for is not
 * delivered, SIGKILL and SIGSTOP excepted (they come from the parent namespace).
 */
export function reachesPid1(pid: number, signal: NodeJS.Signals): boolean {
  if (signal === 'SIGKILL' || signal === 'SIGSTOP') return true;
  return catchesSignal(pid, signal) !== false;
}
