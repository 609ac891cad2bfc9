// ps_ms_10k and rss_kb_per_container: create N containers (never started), time
// GET /containers/json?all=1, and read the daemon's VmRSS before and after.
import { IMAGE, type BenchContext } from '../context';
import { atMost, round, type Figure } from '../figure';
import { median, pool, sleep } from '../stats';

const FULL = 10_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/**
 * `count` containers, or as many as `budgetMs` allows (the figure is then scaled to 10,000 and the
 * note says so, since a slow create path would otherwise hold the whole bench past its time limit).
 */
export async function psAndMemory(ctx: BenchContext, wanted: number, lists: number, budgetMs: number): Promise<Figure[]> {
  const { http } = ctx;
  const body = { Image: IMAGE, Cmd: ['true'], Labels: { bench: 'ps' } };
  // Warm the create path, then let the heap settle before the baseline reading.
  const warm = await pool(Array.from({ length: 50 }, (_, i) => i), 8, () => http.expect<{ Id: string }>([201], 'POST', '/containers/create', body));
  await sleep(1500);
  const rssBefore = ctx.daemon.rssKb();
  const deadline = performance.now() + budgetMs;
  let count = 0;
  const created = await timed(() =>
    pool(Array.from({ length: wanted }, (_, i) => i), 16, async () => {
      if (performance.now() > deadline) return;
      await http.expect<{ Id: string }>([201], 'POST', '/containers/create', body);
      count++;
    }),
  );
  await sleep(1500);
  const rssAfter = ctx.daemon.rssKb();
  ctx.log(`  created ${count} in ${round(created.ms / 1000, 1)} s; RSS ${rssBefore} -> ${rssAfter} kB`);

  const pings: number[] = [];
  const listMs: number[] = [];
  let listBytes = 0;
  let listed = 0;
  // At least one list; more while they fit in a budget (a quadratic list can take minutes).
  const listDeadline = performance.now() + budgetMs / 3;
  for (let i = 0; i < lists && (i === 0 || performance.now() < listDeadline); i++) {
    const list = await timed(() => http.json<unknown[]>('GET', '/containers/json?all=1'));
    if (list.value.status !== 200) throw new Error(`GET /containers/json?all=1: ${list.value.status}`);
    listMs.push(list.ms);
    listBytes = list.value.bytes;
    listed = list.value.body.length;
    for (let k = 0; k < 5; k++) pings.push((await timed(() => http.json('GET', '/_ping'))).ms);
  }
  const inspectBytes = (await http.json('GET', `/containers/${warm[0]!.Id}/json`)).bytes;

  const scale = FULL / count;
  const ps = median(listMs) * scale;
  const perContainer = (rssAfter - rssBefore) / count;
  const why = count < wanted ? `creates hit the ${round(budgetMs / 1000, 0)} s budget at ${count} of ${wanted}` : '--quick';
  const scaledNote = count === FULL ? '' : `${why}: ${count} containers, list time scaled x${round(scale, 1)} (linearly: a worse-than-linear list would be slower); `;
  return [
    {
      name: 'ps_ms_10k',
      value: round(ps, 0),
      unit: 'ms',
      samples: listMs.length,
      comparison: { label: '/_ping', value: round(median(pings), 2), unit: 'ms' },
      target: atMost(round(ps, 0), 300),
      note: `${scaledNote}${listed} containers listed, ${round(listBytes / 1e6, 1)} MB of JSON; creates ran at ${round((count * 1000) / created.ms, 0)}/s`,
      detail: { listMs: listMs.map((x) => round(x, 1)), listBytes, count, createSeconds: round(created.ms / 1000, 1) },
    },
    {
      name: 'rss_kb_per_container',
      value: round(perContainer, 1),
      unit: 'KB',
      samples: 1,
      comparison: { label: 'its inspect JSON', value: round(inspectBytes / 1024, 1), unit: 'KB' },
      target: atMost(round(perContainer, 1), 20),
      note: `${count === FULL ? '' : `${count} containers; `}VmRSS ${rssBefore} -> ${rssAfter} kB over ${count} created containers`,
      detail: { rssBeforeKb: rssBefore, rssAfterKb: rssAfter, count },
    },
  ];
}
