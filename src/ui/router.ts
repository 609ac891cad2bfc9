// GET /ui/: the live lifecycle page, served from the project's own files (no CDN), and its
// WebSocket at /ui/ws, upgraded through the same app as every hijacked Docker stream.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppEnv } from '../api/env';
import type { ContainerTimeline, TimelineChange } from './timeline';

export interface UiDeps {
  timeline: ContainerTimeline;
}

const file = (path: string) => readFileSync(new URL(path, import.meta.url));
const assets: Record<string, { body: Buffer; type: string }> = {
  'app.js': { body: file('./page/app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { body: file('./page/style.css'), type: 'text/css; charset=utf-8' },
  'statechart.svg': { body: file('../../diagrams/container.svg'), type: 'image/svg+xml' },
};
const page = file('./page/index.html');

export function uiRouter(deps: UiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sockets = new WebSocketServer({ noServer: true });

  sockets.on('connection', (ws: WebSocket) => {
    const send = (message: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
    send({ type: 'hello', containers: deps.timeline.containers() });
    const unsubscribe = deps.timeline.subscribe((change: TimelineChange) => send(change));
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
  });

  app.get('/ui', (c) => c.redirect('/ui/'));
  app.get('/ui/', (c) => c.body(new Uint8Array(page), 200, { 'Content-Type': 'text/html; charset=utf-8' }));

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
