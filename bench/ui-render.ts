// npm run bench:ui [-- --containers N] [--reps N] [--json FILE]
// ui_render_ms: how long /ui/ takes, in headless Chromium, from the WebSocket's first message
// (the list of every container) to a painted frame of the list, with N (1,000) containers on a
// daemon of its own (a separate process on the embedded simulator, loopback only). Beside it,
// the same page with no container. The page records the time itself (body[data-render-ms]).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { chromium, type Browser } from 'playwright-core';
import { IMAGE } from './context';
import { startDaemonProcess } from './daemon-process';
import { atMost, renderTable, round, type Figure } from './figure';
import { median, pool } from './stats';

const { values } = parseArgs({
  options: {
    containers: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '7' },
    json: { type: 'string' },
  },
});
const count = Number(values.containers);
const reps = Number(values.reps);
const log = (message: string) => console.error(`[bench:ui] ${message}`);

async function renderMs(browser: Browser, url: string, expected: number): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.goto(url);
    await page.waitForFunction((n) => document.body.dataset.renderedRows === String(n), expected, { timeout: 60_000 });
    return Number(await page.evaluate(() => document.body.dataset.renderMs));
  } finally {
    await page.close();
  }
}

async function measure(browser: Browser, url: string, expected: number): Promise<number[]> {
  await renderMs(browser, url, expected); // warm-up: the browser's first page compiles the scripts
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) samples.push(await renderMs(browser, url, expected));
  return samples;
}

const daemon = await startDaemonProcess();
let browser: Browser | undefined;
try {
  const docker = new Docker({ host: daemon.host, port: daemon.port });
  await new Promise<void>((resolve, reject) =>
    docker.pull(IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))),
  );
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const url = `${daemon.url}/ui/`;
  const empty = await measure(browser, url, 0);
  log(`empty page: ${empty.map((s) => round(s, 1)).join(', ')} ms; creating ${count} containers`);
  const tiers = ['web', 'worker', 'batch', 'db'];
  await pool(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    await docker.createContainer({ Image: IMAGE, name: `ui-bench-${i}`, Cmd: ['sleep', '1'], Labels: { tier: tiers[i % 4]!, n: String(i) } });
  });
  const full = await measure(browser, url, count);
  log(`${count} containers: ${full.map((s) => round(s, 1)).join(', ')} ms`);
  const value = round(median(full), 1);
  const figure: Figure = {
    name: 'ui_render_ms',
    value,
    unit: 'ms',
    samples: full.length,
    comparison: { label: 'no container', value: round(median(empty), 1), unit: 'ms' },
    target: atMost(value, 200),
    note: `${count} containers in the list, Chromium ${browser.version()}, from the first WebSocket message to a painted frame; max ${round(Math.max(...full), 1)} ms`,
  };
  console.log(`\nSockerless ACA bench: the /ui/ page, ${new Date().toISOString()}\n`);
  console.log(renderTable([figure]));
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), figures: [figure] }, null, 2) + '\n');
} finally {
  await browser?.close();
  await daemon.stop();
}
