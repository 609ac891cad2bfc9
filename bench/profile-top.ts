// node --import tsx bench/profile-top.ts FILE.cpuprofile [N] [function|package|project|category]
// project: each sample goes to the innermost src/ or machines/ frame on its stack (inclusive time of
// the project's own functions, library work included).
// The top self-time functions of a V8 CPU profile (as `node --cpu-prof` writes it), with the
// share of all sampled time, aggregated by function name and location.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_ROOT } from './daemon-process';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, count = '25', mode = 'function'] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** The innermost caller (or the frame itself) that is the project's own code: src/, machines/, bench/. */
const projectFrame = (id: number | undefined): ProfileNode | undefined => {
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (/\/(src|machines)\//.test(url) && !url.includes('node_modules')) return byId.get(at);
  }
  return undefined;
};
/**
 * category: each sample goes to the first of these that its stack contains, so the figures say
 * where a request's time goes (the simulator shares the daemon's process on the embedded target).
 */
const CATEGORIES: Array<[string, (f: ProfileNode['callFrame']) => boolean]> = [
  ['module loading (start-up)', (f) => f.url.startsWith('node:internal/modules') || f.url.includes('/tsx/')],
  ['simulator: spawning replicas', (f) => /\/src\/simulator\/.*(local-process|launcher|replica)/.test(f.url)],
  ['simulator: ARM/Logs server side', (f) => /\/src\/simulator\//.test(f.url)],
  ['daemon: Azure SDK clients (ARM, Logs, identity)', (f) => /node_modules\/(@azure|@typespec)\//.test(f.url) || /\/src\/aca\//.test(f.url)],
  ['daemon: actors (xstate, machines, src/daemon)', (f) => /node_modules\/xstate\//.test(f.url) || /\/(machines|src\/daemon)\//.test(f.url)],
  ['daemon: Docker API (hono, routers, render)', (f) => /node_modules\/(hono|@hono)\//.test(f.url) || /\/src\/(api|networks|volumes|container-resources|images)\//.test(f.url)],
];
const categoryOf = (id: number): string => {
  const name = byId.get(id)!.callFrame.functionName;
  if (name === '(idle)' || name === '(garbage collector)' || name === '(program)') return name;
  const stack: ProfileNode['callFrame'][] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
  for (const [label, test] of CATEGORIES) if (stack.some(test)) return label;
  return 'other (node core: http, tls, streams, timers)';
};
const agg = new Map<string, number>();
for (const [startId, us] of selfUs) {
  if (mode === 'category') {
    const key = categoryOf(startId);
    agg.set(key, (agg.get(key) ?? 0) + us);
    continue;
  }
  let id = startId;
  if (mode === 'project') {
    const f = byId.get(id)!.callFrame.functionName;
    const frame = f === '(idle)' || f === '(garbage collector)' || f === '(program)' ? undefined : projectFrame(id);
    if (frame) id = frame.id;
  }
  const f = byId.get(id)!.callFrame;
  const where = f.url ? `${relative(REPO_ROOT, f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url)?.[1] ?? (f.url.startsWith('node:') ? 'node:' + f.url.slice(5).split('/')[0] + '/' + (f.url.split('/')[1] ?? '') : f.url ? relative(REPO_ROOT, f.url.replace(/^file:\/\//, '')).split('/').slice(0, 2).join('/') : f.functionName);
  const key = mode === 'package' ? pkg : `${f.functionName || '(anonymous)'} ${where}`.trim();
  agg.set(key, (agg.get(key) ?? 0) + us);
}
const idle = [...agg.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, us]) => a + us, 0);
console.log(`${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(1)}% idle`);
for (const [key, us] of [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}
