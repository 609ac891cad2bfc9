// Streams the actor system to the Stately inspector: a local bridge server from
// @statelyai/inspect (its page iframes the hosted inspector and forwards each WebSocket message
// with postMessage), fed by one client socket of ours. Nothing here exists unless inspection
// is switched on, and close() leaves no socket, timer or server behind (the package's own
// WebSocket client would keep reconnecting forever).
import { createServer } from 'node:net';
import { createInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { WebSocket } from 'ws';
import type { InspectionHub } from './hub';
import { redact } from './sanitize';

export interface StatelyStream {
  /** The bridge page to open in a browser that can reach stately.ai. */
  url: string;
  close(): void;
}

const MAX_BUFFERED = 200;

async function ensureFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer().once('error', (err) => reject(new Error(`inspector port ${port} is not free: ${err.message}`)));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

export async function startStatelyStream(hub: InspectionHub, port: number): Promise<StatelyStream> {
  await ensureFree(port);
  const server = createInspectorServer({ port, autoOpen: false });
  let socket: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const buffered: string[] = [];

  const connect = (attempt: number) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    socket = ws;
    ws.on('open', () => {
      for (const message of buffered.splice(0)) ws.send(message);
    });
    ws.on('error', () => {});
    // The bridge server starts listening on its own schedule; retry a few times, never forever.
    ws.on('close', () => {
      if (closed || attempt >= 20) return;
      retry = setTimeout(() => connect(attempt + 1), 100 * (attempt + 1));
      retry.unref();
    });
  };
  connect(0);

  const inspector = createInspector(
    {
      send(event) {
        if (closed) return;
        let message: string;
        try {
          // Plain JSON first (snapshots serialize through their toJSON), then the whole event is
          // redacted: an invoked actor's snapshot carries its input, the container's config.
          message = JSON.stringify(redact(JSON.parse(JSON.stringify(event)) as unknown));
        } catch {
          return;
        }
        if (socket?.readyState === WebSocket.OPEN) socket.send(message);
        else if (buffered.push(message) > MAX_BUFFERED) buffered.shift();
      },
    },
  );
  const unsubscribe = hub.subscribe((event) => inspector.inspect.next?.(event));

  return {
    url: `http://localhost:${port}/`,
    close() {
      closed = true;
      unsubscribe();
      clearTimeout(retry);
      socket?.terminate();
      server.stop();
    },
  };
}
