// The /ui/ page in headless Chromium: a container's state changes show up live.
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitControl } from '../model/exit-control';
import { startTcpDaemon, type TcpDaemon } from './daemon-on-tcp';

const artifacts = new URL('../artifacts/', import.meta.url);

let d: TcpDaemon;
let exits: ExitControl;
let browser: Browser;
beforeAll(async () => {
  [d, exits] = await Promise.all([startTcpDaemon(), ExitControl.start()]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await d?.close();
  await exits?.close();
});

describe('/ui/', () => {
  it('shows a container running, then exited, on its highlighted statechart with timed transitions', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${d.base}/ui/`);
    await page.locator('#connection', { hasText: 'live' }).waitFor();

    const c = await d.docker.createContainer({ Image: 'alpine', name: 'ui-demo', Cmd: exits.command('ui-demo') });
    const card = page.locator('section.container[data-name="ui-demo"]');
    await card.locator('[data-testid="status"]', { hasText: /^created$/ }).waitFor();

    await c.start();
    await card.locator('[data-testid="status"]', { hasText: /^running$/ }).waitFor();
    expect(await card.locator('.chart .active').evaluateAll((els) => els.map((e) => e.id))).toEqual(['state:container.running', 'state:container.running.up']);

    exits.exit('ui-demo', 3);
    await card.locator('[data-testid="status"]', { hasText: /^exited$/ }).waitFor();
    const exited = await card.locator('.chart .active').evaluateAll((els) => els.map((e) => e.id));
    expect(exited[0]).toBe('state:container.exited');
    expect(exited.every((id) => id.startsWith('state:container.exited'))).toBe(true);
    // Newest first, each with its time; what ended the run (agent report or ACA status) may vary.
    const transitions = await card.locator('.transitions li').allTextContents();
    expect(transitions.every((t) => /^\d\d:\d\d:\d\d\.\d{3}/.test(t))).toBe(true);
    // Running is entered launching (until the agent reports the command running), then up.
    const tops = transitions.map((t) => t.split(' → ')[1]!.split('.')[0]);
    expect(tops.filter((t, i) => t !== tops[i - 1])).toEqual(['exited', 'running', 'starting', 'created']);
    expect(transitions.map((t) => t.split(' → ')[1]).filter((t) => t!.startsWith('running'))).toEqual(['running.up', 'running.launching']);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: new URL('ui-lifecycle.png', artifacts).pathname, fullPage: true });

    await c.remove();
    await card.waitFor({ state: 'detached' });
    await page.close();
  });

  it('serves its own assets and refuses a plain GET on the WebSocket path', async () => {
    for (const asset of ['app.js', 'style.css', 'statechart.svg']) expect((await fetch(`${d.base}/ui/${asset}`)).status).toBe(200);
    expect((await fetch(`${d.base}/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${d.base}/ui/ws`)).status).toBe(426);
  });
});
