// What `docker top` and `docker stats` show, read from /proc inside the container: the agent's
// own descendants (the container's processes wherever the agent runs, PID 1 of a replica or not).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The kernel's clock ticks per second (USER_HZ), 100 on every Linux ACA runs. */
const HZ = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  utime: number;
  stime: number;
  /** Ticks after boot. */
  start: number;
  tty: number;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

function stat(pid: number): ProcStat | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return undefined;
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid, comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(f[1]), tty: Number(f[4]),
    utime: Number(f[11]), stime: Number(f[12]), start: Number(f[19]),
  };
}

/** The agent's descendants (the container's processes), the agent excluded. */
function containerProcesses(): ProcStat[] {
  let all: ProcStat[];
  try {
    all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => stat(Number(n))).filter((s): s is ProcStat => !!s);
  } catch {
    return [];
  }
  const children = new Map<number, ProcStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c.pid);
    }
  };
  walk(process.pid);
  return out.sort((a, b) => a.pid - b.pid);
}

function uidOf(pid: number): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) : undefined;
}

function userNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of (read('/etc/passwd') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length > 2 && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]!);
  }
  return names;
}

const bootTime = (): number => Number(/^btime (\d+)/m.exec(read('/proc/stat') ?? '')?.[1] ?? 0);
const uptime = (): number => Number((read('/proc/uptime') ?? '0').split(' ')[0]);
const two = (n: number) => String(n).padStart(2, '0');

/** `ps -ef` of the container, as dockerd's top answers it. */
export function processTable(): { Titles: string[]; Processes: string[][] } {
  const names = userNames();
  const boot = bootTime();
  const up = uptime();
  const Processes = containerProcesses().map((p) => {
    const uid = uidOf(p.pid);
    const cpuSeconds = (p.utime + p.stime) / HZ;
    const ran = Math.max(up - p.start / HZ, 0.001);
    const started = new Date((boot + p.start / HZ) * 1000);
    const cmdline = (read(`/proc/${p.pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    const t = Math.floor(cpuSeconds);
    return [
      uid === undefined ? '?' : (names.get(uid) ?? String(uid)),
      String(p.pid),
      String(p.ppid),
      String(Math.floor((cpuSeconds / ran) * 100)),
      `${two(started.getUTCHours())}:${two(started.getUTCMinutes())}`,
      p.tty === 0 ? '?' : 'pts',
      `${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`,
      cmdline || `[${p.comm}]`,
    ];
  });
  return { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes };
}

/** One sample of the container's usage, in the units of Docker's stats (ns, bytes). */
export interface UsageSample {
  /** CPU time of the container's processes, ns (user, kernel). */
  user: number;
  kernel: number;
  /** The host's CPU time since boot, ns (Docker's system_cpu_usage). */
  system: number;
  onlineCpus: number;
  /** Resident memory of the container's processes, bytes. */
  memory: number;
  pids: number;
  /** Bytes read and written by the container's processes (their /proc/PID/io, where readable). */
  read: number;
  written: number;
  /** Per interface (loopback aside): bytes and packets, from the replica's /proc/net/dev. */
  networks: Record<string, { rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number; tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number }>;
}

export function usageSample(): UsageSample {
  const procs = containerProcesses();
  // Whole nanoseconds: Docker's fields are unsigned integers, and clients decode them as such.
  const ns = (ticks: number) => Math.round(ticks * (1e9 / HZ));
  const cpuLine = (/^cpu\s+(.*)$/m.exec(read('/proc/stat') ?? '')?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal
  const systemTicks = cpuLine.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  let memory = 0;
  let readBytes = 0;
  let written = 0;
  for (const p of procs) {
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${p.pid}/status`) ?? '');
    if (rss) memory += Number(rss[1]) * 1024;
    const io = read(`/proc/${p.pid}/io`) ?? '';
    readBytes += Number(/^read_bytes: (\d+)/m.exec(io)?.[1] ?? 0);
    written += Number(/^write_bytes: (\d+)/m.exec(io)?.[1] ?? 0);
  }
  const networks: UsageSample['networks'] = {};
  for (const line of (read('/proc/net/dev') ?? '').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!name || rest === undefined || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    networks[name.trim()] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return {
    user: ns(procs.reduce((a, p) => a + p.utime, 0)),
    kernel: ns(procs.reduce((a, p) => a + p.stime, 0)),
    system: ns(systemTicks),
    onlineCpus: cpus().length,
    memory,
    pids: procs.length,
    read: readBytes,
    written,
    networks,
  };
}
