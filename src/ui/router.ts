// GET /ui/: the live page, served from the project's own files (no CDN), and its WebSocket at
// /ui/ws, upgraded through the same app as every hijacked Docker stream.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppEnv } from '../api/env';
import { OverviewReader, type OverviewSources } from './overview';
import { PageSession } from './session';
import type { ContainerTimeline } from './timeline';

export interface UiDeps {
  timeline: ContainerTimeline;
  /** The daemon-wide figures; without them the page shows containers only. */
  overview?: OverviewSources;
}

const file = (path: string) => readFileSync(new URL(path, import.meta.url));
const assets: Record<string, { body: Buffer; type: string }> = {
  'app.js': { body: file('./page/app.js'), type: 'text/javascript; charset=utf-8' },
  'list.js': { body: file('./page/list.js'), type: 'text/javascript; charset=utf-8' },
  'chart.js': { body: file('./page/chart.js'), type: 'text/javascript; charset=utf-8' },
  'detail.js': { body: file('./page/detail.js'), type: 'text/javascript; charset=utf-8' },
  'overview.js': { body: file('./page/overview.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { body: file('./page/style.css'), type: 'text/css; charset=utf-8' },
  'statechart.svg': { body: file('../../diagrams/container.svg'), type: 'image/svg+xml' },
};
const page = file('./page/index.html');

/** How often an open page gets the daemon-wide figures (when they changed). */
const OVERVIEW_MS = 1000;

export function uiRouter(deps: UiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const sessions = new Set<PageSession>();
  const reader = deps.overview && new OverviewReader(deps.overview);
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const overview = reader?.read();
    for (const session of sessions) session.overview(overview ?? null);
  };

  sockets.on('connection', (ws: WebSocket) => {
    const session = new PageSession(ws, deps.timeline, reader?.read() ?? null);
    sessions.add(session);
    if (reader && !timer) timer = setInterval(tick, OVERVIEW_MS).unref();
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
      if (sessions.size === 0 && timer) timer = void clearInterval(timer);
    });
    ws.on('error', () => ws.terminate());
  });

  app.get('/ui', (c) => c.redirect('/ui/'));
  app.get('/ui/', (c) => c.body(new Uint8Array(page), 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }));

  app.get('/ui/ws', (c) => {
    const hijack = c.env.hijack;
    if (!hijack || c.req.header('upgrade')?.toLowerCase() !== 'websocket') return c.text('WebSocket upgrade required', 426);
    hijack.taken = true;
    sockets.handleUpgrade(c.env.incoming, hijack.socket, hijack.head, (ws) => sockets.emit('connection', ws, c.env.incoming));
    return new Response(null);
  });

  app.get('/ui/:asset', (c) => {
    const name = c.req.param('asset');
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined; // not Object.prototype's keys
    if (!asset) return c.json({ message: 'page not found' }, 404);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
  });

  return app;
}
