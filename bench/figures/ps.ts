// ps_ms_10k and rss_kb_per_container: create containers (never started) in growing steps up to
// 10,000, time GET /containers/json?all=1 at each step, and read the daemon's VmRSS before and after.
// Steps that would not fit the time budget are skipped: the figure is then extrapolated from the
// largest step with the growth exponent the steps showed, and the note says so.
import { IMAGE, type BenchContext } from '../context';
import { atMost, round, type Figure } from '../figure';
import { median, pool, sleep } from '../stats';

const FULL = 10_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

interface Step {
  n: number;
  /** Time to create this step's new containers. */
  createMs: number;
  listMs: number;
}

/** How list time grows with n between the last two steps (t ∝ n^k), within [1, 3]; 2 when unknown. */
function growth(steps: readonly Step[]): number {
  if (steps.length < 2) return 2;
  const [a, b] = steps.slice(-2) as [Step, Step];
  const k = Math.log(b.listMs / a.listMs) / Math.log(b.n / a.n);
  return Number.isFinite(k) ? Math.min(3, Math.max(1, k)) : 2;
}

export async function psAndMemory(ctx: BenchContext, quick: boolean, lists: number, budgetMs: number): Promise<Figure[]> {
  const { http } = ctx;
  const body = { Image: IMAGE, Cmd: ['true'], Labels: { bench: 'ps' } };
  const create = (count: number) =>
    pool(Array.from({ length: count }, (_, i) => i), 16, () => http.expect<{ Id: string }>([201], 'POST', '/containers/create', body));
  // Timed until the last byte of the answer is in; the bench's own parse of it comes after.
  const list = async () => {
    const res = await timed(() => http.raw('GET', '/containers/json?all=1'));
    if (res.value.status !== 200) throw new Error(`GET /containers/json?all=1: ${res.value.status}`);
    return { ms: res.ms, bytes: res.value.body.length, listed: (JSON.parse(res.value.body.toString('utf8')) as unknown[]).length };
  };

  // Warm the create path, then let the heap settle before the baseline reading.
  const warm = await create(50);
  await sleep(1500);
  const rssBefore = ctx.daemon.rssKb();
  const deadline = performance.now() + budgetMs;
  const plan = quick ? [500, 1000, 2000] : [1000, 2500, 5000, FULL];
  const steps: Step[] = [];
  let n = 0;
  let rssAfter = rssBefore;
  let last = { ms: 0, bytes: 0, listed: 0 };
  for (const target of plan) {
    const prev = steps.at(-1);
    if (prev) {
      // Per-create cost grows as it did between the last two steps (flat when unknown); list time by
      // the observed exponent (n^2 when unknown).
      const perCreate = (i: number) => steps[i]!.createMs / (steps[i]!.n - (steps[i - 1]?.n ?? 0));
      const last = steps.length - 1;
      const createGrowth = last > 0 ? Math.max(1, perCreate(last) / perCreate(last - 1)) : 1;
      const predicted = perCreate(last) * createGrowth * (target - n) + prev.listMs * (target / n) ** growth(steps);
      if (performance.now() + predicted > deadline) {
        ctx.log(`  stopping at ${n}: ${target} would take about ${round(predicted / 1000, 0)} s, past the budget`);
        break;
      }
    }
    const made = await timed(() => create(target - n));
    n = target;
    await sleep(1000);
    rssAfter = ctx.daemon.rssKb();
    last = await list();
    steps.push({ n, createMs: made.ms, listMs: last.ms });
    ctx.log(`  ${n} containers: created at ${round(((target - (steps.at(-2)?.n ?? 0)) * 1000) / made.ms, 0)}/s, list ${round(last.ms, 0)} ms, RSS ${rssAfter} kB`);
  }
  const finalLists = [last.ms];
  while (finalLists.length < lists && performance.now() + last.ms < deadline) finalLists.push((await list()).ms);

  const pings: number[] = [];
  for (let k = 0; k < 20; k++) pings.push((await timed(() => http.json('GET', '/_ping'))).ms);
  const inspectBytes = (await http.json('GET', `/containers/${warm[0]!.Id}/json`)).bytes;

  const k = growth(steps);
  const atN = median(finalLists);
  const ps = n === FULL ? atN : atN * (FULL / n) ** k;
  const curve = steps.map((s) => `${s.n}: ${round(s.listMs, 0)} ms`).join(', ');
  const extrapolated =
    n === FULL ? '' : `${quick ? '--quick' : 'time budget'}: measured up to ${n} containers, extrapolated to 10,000 as n^${round(k, 2)}; `;
  const perContainer = (rssAfter - rssBefore) / n;
  return [
    {
      name: 'ps_ms_10k',
      value: round(ps, 0),
      unit: 'ms',
      samples: finalLists.length,
      comparison: { label: '/_ping', value: round(median(pings), 2), unit: 'ms' },
      target: atMost(round(ps, 0), 300),
      note: `${extrapolated}list time by count: ${curve} (list grows as n^${round(k, 2)}); ${round(last.bytes / 1e6, 1)} MB of JSON at ${last.listed}`,
      detail: { steps, finalListsMs: finalLists.map((x) => round(x, 1)), growthExponent: round(k, 3), listBytes: last.bytes },
    },
    {
      name: 'rss_kb_per_container',
      value: round(perContainer, 1),
      unit: 'KB',
      samples: 1,
      comparison: { label: 'its inspect JSON', value: round(inspectBytes / 1024, 1), unit: 'KB' },
      target: atMost(round(perContainer, 1), 20),
      note: `VmRSS ${rssBefore} -> ${rssAfter} kB over ${n} created containers`,
      detail: { rssBeforeKb: rssBefore, rssAfterKb: rssAfter, count: n },
    },
  ];
}
