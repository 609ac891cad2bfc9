// The /ui/ page in headless Chromium against a real daemon on the simulator: the list of 200
// containers in mixed states, the state filter, a selected container's chart and history, and
// a link that reopens the same selection. Screenshots go to test/artifacts/.
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitControl } from '../model/exit-control';
import { startTcpDaemon, type TcpDaemon } from './daemon-on-tcp';
import { makeFleet, type Fleet } from './fleet';

const PRIVATE = 'registry.ui.test:5000';
const FAIL_IMAGE = `${PRIVATE}/team/app:1`;
const artifacts = new URL('../artifacts/', import.meta.url);
const shot = (page: Page, name: string) => page.screenshot({ path: new URL(name, artifacts).pathname });

let d: TcpDaemon;
let exits: ExitControl;
let browser: Browser;
let fleet: Fleet;
beforeAll(async () => {
  [d, exits] = await Promise.all([startTcpDaemon({ simulator: { privateRegistries: [{ server: PRIVATE }] }, env: { SOCKERLESS_CLOUD_RETRY_MS: '50' } }), ExitControl.start()]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(artifacts, { recursive: true });
  await new Promise<void>((resolve, reject) =>
    d.docker.pull(FAIL_IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : d.docker.modem.followProgress(stream, () => resolve()))),
  );
  fleet = await makeFleet(d.docker, exits, { created: 120, exited: 50, failed: 6, running: 24, failImage: FAIL_IMAGE }, 'ui');
}, 240_000);
afterAll(async () => {
  for (const name of fleet?.running ?? []) exits.exit(name, 0);
  await browser?.close();
  await d?.close();
  await exits?.close();
});

async function open(path = '/ui/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${d.base}${path}`);
  await page.locator('#connection', { hasText: 'live' }).waitFor();
  return page;
}

const statuses = (page: Page) => page.locator('#list .row [data-testid="status"]').allTextContents();

describe('/ui/ with 200 containers', () => {
  it('lists them all, most recent change first, rendering only the rows in view', async () => {
    const page = await open();
    await page.locator('#list[data-count="200"]').waitFor();
    expect(await page.locator('#shown').textContent()).toBe('200 containers');
    const rendered = await page.locator('#list .row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    // Newest change first: the rows' times (ISO, in their titles) never increase down the list.
    const times = await page.locator('#list .row .since').evaluateAll((els) =>
      els.map((e) => ({ top: e.parentElement!.getBoundingClientRect().top, at: e.getAttribute('title')! })).sort((a, b) => a.top - b.top).map((r) => r.at));
    expect(times).toEqual([...times].sort().reverse());
    // The created ones changed first of all, so none is at the top.
    expect(await statuses(page)).not.toContain('created');
    await shot(page, 'ui-list-200.png');
    await page.close();
  });

  it('filters by exited (only those, all of them) and searches by label', async () => {
    const page = await open();
    await page.locator('#list[data-count="200"]').waitFor();
    await page.locator('#filters button[data-state="exited"]').click();
    const exited = fleet.exited.length + fleet.failed.length;
    await page.locator(`#list[data-count="${exited}"]`).waitFor();
    expect(new Set(await statuses(page))).toEqual(new Set(['exited']));
    await page.locator('#list').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForFunction(() => document.querySelector('#list')!.scrollTop > 0);
    expect(new Set(await statuses(page))).toEqual(new Set(['exited']));
    expect(page.url()).toContain('state=exited');
    await shot(page, 'ui-filter-exited.png');

    await page.locator('#filters button[data-state="all"]').click();
    await page.locator('#search').fill('kind=running');
    await page.locator(`#list[data-count="${fleet.running.length}"]`).waitFor();
    await page.close();
  });

  it('shows a selected container’s chart with its state highlighted and its transitions, and the URL reopens it', async () => {
    const page = await open('/ui/?state=exited');
    const name = fleet.exited[7]!;
    await page.locator('#search').fill(name);
    await page.locator(`#list .row[data-name="${name}"]`).click();
    await page.locator('[data-testid="detail-name"]', { hasText: name }).waitFor();
    const id = (await d.docker.getContainer(name).inspect()).Id;
    expect(page.url()).toContain(`container=${id}`);

    const current = await page.locator('[data-testid="chart"] .current').getAttribute('id');
    expect(current).toMatch(/^state:container\.exited/);
    const active = await page.locator('[data-testid="chart"] .active').evaluateAll((els) => els.map((e) => e.id));
    expect(active[0]).toBe('state:container.exited');
    // The edge the last transition took, from running to exited, by what ended the run.
    const taken = await page.locator('[data-testid="chart"] .edge.taken').evaluateAll((els) => els.map((e) => e.querySelector('title')!.textContent + ' ' + e.querySelector('text')!.textContent));
    expect(taken.length).toBeGreaterThanOrEqual(1);
    for (const edge of taken) expect(edge).toMatch(/^container\.running\S*->container\.exited\S* (PROCESS_EXITED|done: waitForEnd|error: waitForEnd)/);
    const rows = page.locator('[data-testid="transitions"] tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    const moves = await rows.locator('.t-move .to').allTextContents();
    expect(moves[0]).toMatch(/^exited/);
    expect(moves.map((m) => m.split('.')[0])).toEqual(expect.arrayContaining(['exited', 'running', 'starting', 'created']));
    expect((await rows.locator('.t-time time').allTextContents()).every((t) => /^\d\d:\d\d:\d\d\.\d{3}$/.test(t))).toBe(true);
    // Each transition says what was behind it; the first was the create request.
    expect(await rows.last().locator('.t-cause').textContent()).toContain('docker create');
    const sources = await rows.locator('.source').allTextContents();
    expect(sources).toEqual(expect.arrayContaining(['api', 'cloud']));
    await shot(page, 'ui-selected.png');

    // Zoom and pan move the chart's viewBox; "whole chart" shows all of it, "current" comes back.
    const viewBox = async () => (await page.locator('[data-testid="chart"] svg').getAttribute('viewBox'))!.split(' ').map(Number);
    const focused = await viewBox();
    await page.locator('.chart-tools button[data-act="in"]').click();
    expect((await viewBox())[2]).toBeLessThan(focused[2]!);
    const chart = page.locator('[data-testid="chart"]');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 100, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    expect((await viewBox())[0]).toBeGreaterThan(focused[0]!);
    await page.locator('.chart-tools button[data-act="fit"]').click();
    expect((await viewBox())[2]).toBeGreaterThan(4000);
    await page.locator('.chart-tools button[data-act="focus"]').click();
    expect(await viewBox()).toEqual(focused);

    const shared = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await shared.goto(page.url());
    await shared.locator('[data-testid="detail-name"]', { hasText: name }).waitFor();
    expect(await shared.locator('#list .row[aria-selected="true"]').getAttribute('data-name')).toBe(name);
    expect(await shared.locator('[data-testid="chart"] .current').getAttribute('id')).toBe(current);
    await shared.close();
    await page.close();
  });

  it('shows State.Error of a container whose image could not be pulled', async () => {
    const name = fleet.failed[0]!;
    const state = (await d.docker.getContainer(name).inspect()).State;
    const page = await open(`/ui/?container=${name}`);
    await page.locator('[data-testid="detail-name"]', { hasText: name }).waitFor();
    expect(state.Error).not.toBe('');
    const error = page.locator('[data-testid="detail-error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain(state.Error);
    const row = page.locator(`#list .row[data-name="${name}"] .outcome`);
    expect(await row.textContent()).toBe(state.Error);
    await shot(page, 'ui-error.png');
    await page.close();
  });

  it('shows the cloud call behind each retry when ACA keeps failing a start', async () => {
    const sim = d.running.simulator!;
    const c = await d.docker.createContainer({ Image: 'alpine', name: 'ui-retry', Cmd: ['true'] });
    sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_Start', kind: 'error503', rate: 1 }] });
    try {
      await c.start().catch(() => {}); // the start fails once the chart's attempts are used up
    } finally {
      sim.setFaults(undefined);
    }
    const page = await open('/ui/?container=ui-retry');
    await page.locator('[data-testid="detail-name"]', { hasText: 'ui-retry' }).waitFor();
    const rows = page.locator('[data-testid="transitions"] tbody tr');
    await expect.poll(() => rows.locator('.t-move .to', { hasText: 'retrying' }).count()).toBeGreaterThanOrEqual(2);
    // The last transition, a failed start ending it, is marked on the chart: on the container's own
    // job (runJob) or, with job reuse, on its shape's shared job (startOnSharedJob).
    expect(await page.locator('[data-testid="chart"] .edge.taken text').first().textContent()).toMatch(/^error: (runJob|startOnSharedJob)/);
    const failures = await rows.filter({ has: page.locator('.t-move .to', { hasText: 'retrying' }) }).locator('.t-cause').allTextContents();
    expect(failures.every((t) => /^cloud (runJob|startOnSharedJob) failed: \(transient\) /.test(t))).toBe(true);
    expect(failures.some((t) => /failed attempts?$/.test(t))).toBe(true);
    expect(await page.locator('[data-testid="detail-error"]').textContent()).toContain((await c.inspect()).State.Error);
    await shot(page, 'ui-retries.png');
    await page.close();
    await c.remove({ force: true });
  });

  it('follows a container live: created, running, exited, then gone', async () => {
    const page = await open();
    const c = await d.docker.createContainer({ Image: 'alpine', name: 'ui-live', Cmd: exits.command('ui-live') });
    const row = page.locator('#list .row[data-name="ui-live"]');
    await row.locator('[data-testid="status"]', { hasText: /^created$/ }).waitFor();
    await row.click();
    await c.start();
    await page.locator('[data-testid="detail-status"]', { hasText: /^running$/ }).waitFor();
    expect(await page.locator('[data-testid="chart"] .active').evaluateAll((els) => els.map((e) => e.id)))
      .toEqual([
        'state:container.running', 'state:container.running.up',
        // up's parallel regions: no health check, so no probes.
        'state:container.running.up.health', 'state:container.running.up.probe',
        'state:container.running.up.health.none', 'state:container.running.up.probe.off',
      ]);
    exits.exit('ui-live', 3);
    await page.locator('[data-testid="detail-status"]', { hasText: /^exited$/ }).waitFor();
    expect(await row.locator('.outcome').textContent()).toBe('exit 3');
    await c.remove();
    await row.waitFor({ state: 'detached' });
    await page.locator('.placeholder', { hasText: 'was removed' }).waitFor();
    await page.close();
  });

  it('shows the daemon-wide figures: ARM requests as the simulator counted them, the budget, agents, the simulator', async () => {
    const page = await open();
    const sim = d.running.simulator!;
    // Nothing writes to ARM during this test, so the tile settles on the simulator's count.
    await expect.poll(async () => page.locator('#arm .sub').first().textContent(), { timeout: 10_000 })
      .toContain(`${sim.stats().writes} writes`);
    expect(await page.locator('#arm .bucket').allTextContents()).toEqual([expect.stringMatching(/^reads.*of 20\/s/), expect.stringMatching(/^writes.*of 8\/s/)]);
    await expect.poll(() => page.locator('#agents .big').textContent(), { timeout: 20_000 }).toBe(String(fleet.running.length));
    expect(await page.locator('#simulator').textContent()).toContain(sim.isolationDetail.slice(0, 20));
    expect(await page.locator('#counts .legend').textContent()).toBe(`${fleet.created.length} created${fleet.running.length} running${fleet.exited.length + fleet.failed.length} exited`);
    await page.close();
  });

  it('over its WebSocket: the world once, a selected container\'s history, and a close for a bad message', async () => {
    const ws = new WebSocket(`${d.base.replace('http', 'ws')}/ui/ws`);
    const messages: { type: string; [k: string]: unknown }[] = [];
    const next = (type: string) => expect.poll(() => messages.find((m) => m.type === type), { timeout: 10_000 }).toBeTruthy();
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await next('hello');
    const hello = messages.find((m) => m.type === 'hello') as unknown as { containers: { id: string; name: string; transitions?: unknown }[] };
    expect(hello.containers.length).toBeGreaterThanOrEqual(200);
    expect(hello.containers[0]).not.toHaveProperty('transitions'); // the list carries summaries only
    const chosen = hello.containers.find((c) => c.name === fleet.exited[0])!;
    ws.send(JSON.stringify({ type: 'select', id: chosen.id }));
    await next('detail');
    const detail = messages.find((m) => m.type === 'detail') as unknown as { id: string; container: { transitions: { to: string }[] } };
    expect(detail.id).toBe(chosen.id);
    expect(detail.container.transitions.at(-1)!.to).toBe('created');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
  });

  it('serves its own assets and refuses a plain GET on the WebSocket path', async () => {
    for (const asset of ['app.js', 'list.js', 'chart.js', 'detail.js', 'overview.js', 'style.css', 'statechart.svg']) {
      expect((await fetch(`${d.base}/ui/${asset}`)).status).toBe(200);
    }
    expect((await fetch(`${d.base}/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${d.base}/ui/ws`)).status).toBe(426);
  });
});
