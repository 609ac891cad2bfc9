import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import { CONTAINER_HEADER, TOKEN_HEADER } from '../../agent/protocol';
import type { Agents } from '../../daemon/agent/agents';
import type { AppEnv } from '../env';

/** Frames larger than this close the connection (data frames carry at most a pipe read, 64 KiB). */
const MAX_FRAME = 1024 * 1024;

/**
 * `GET /agent`: the WebSocket an in-job agent dials back on, on the same server as the Docker
 * API. The container id and the token minted for its current start come as headers; anything
 * else is refused with 401 before the upgrade, and the token is never echoed or logged.
 */
export function agentRouter(deps: { agents: Agents }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  app.get('/agent', (c) => {
    const hijack = c.env.hijack;
    if (!hijack || c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      return c.json({ message: 'the agent endpoint takes a WebSocket upgrade' }, 426);
    }
    const id = c.req.header(CONTAINER_HEADER) ?? '';
    if (!deps.agents.authenticate(id, c.req.header(TOKEN_HEADER))) {
      return c.json({ message: 'unauthorized: unknown container or wrong agent token' }, 401);
    }
    hijack.taken = true;
    wss.handleUpgrade(c.env.incoming, hijack.socket, hijack.head, (ws) => deps.agents.connect(id, ws));
    return new Response(null);
  });
  return app;
}
