// POSIX signal names and numbers as Docker accepts them (`KILL`, `SIGKILL`, `9`).

const numbers: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31,
};

/** `KILL`, `sigkill`, `SIGKILL` or `9` → `SIGKILL`; undefined for anything else. */
export function normalizeSignal(input: string): string | undefined {
  const s = input.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return Object.keys(numbers).find((k) => numbers[k] === n);
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  return name in numbers ? name : undefined;
}

export function signalNumber(signal: string): number {
  return numbers[signal] ?? numbers.SIGKILL;
}
