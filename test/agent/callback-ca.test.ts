// The agent's TLS trust for a wss:// callback (issue 18): Node's own roots, plus the PEM that
// SOCKERLESS_AGENT_CA hands it; the real agent process against a real TLS WebSocket server.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { CONTAINER_HEADER } from '../../src/agent/protocol';
import { createCertificate, type Certificate } from '../../src/simulator/certificate';

let cert: Certificate;
let server: Server;
let wss: WebSocketServer;
let url: string;
const hellos: Array<{ containerId: string; header: string | undefined }> = [];
const agents: ChildProcess[] = [];

beforeAll(async () => {
  cert = await createCertificate();
  server = createServer({ key: cert.key, cert: cert.cert });
  wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.once('message', (data) => {
      const hello = JSON.parse(data.toString()) as { t: string; containerId: string };
      if (hello.t === 'hello') hellos.push({ containerId: hello.containerId, header: req.headers[CONTAINER_HEADER] as string | undefined });
      ws.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `wss://127.0.0.1:${(server.address() as { port: number }).port}/agent`;
});

afterAll(async () => {
  for (const a of agents) a.kill('SIGKILL');
  wss?.close();
  await new Promise((r) => server?.close(r));
});

/** The agent from its sources, its environment only what is given (no NODE_EXTRA_CA_CERTS from the host). */
function startAgent(containerId: string, extra: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const main = fileURLToPath(new URL('../../src/agent/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, main, '--', 'sleep', '20'], {
    env: { PATH: process.env.PATH, SOCKERLESS_CALLBACK_URL: url, SOCKERLESS_CONTAINER_ID: containerId, SOCKERLESS_AGENT_TOKEN: 't', SOCKERLESS_AGENT_DEBUG: '1', ...extra },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  agents.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err };
}

async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe("the agent's wss:// callback", () => {
  it('trusts the CA that SOCKERLESS_AGENT_CA gives and says hello', async () => {
    const agent = startAgent('with-ca', { SOCKERLESS_AGENT_CA: cert.cert });
    expect(await until(() => hellos.some((h) => h.containerId === 'with-ca'))).toBe(true);
    expect(hellos.find((h) => h.containerId === 'with-ca')!.header).toBe('with-ca');
    agent.child.kill('SIGKILL');
  });

  it('without it, refuses the self-signed certificate and never connects', async () => {
    const agent = startAgent('without-ca', {});
    expect(await until(() => /connection error: .*(self.signed|certificate)/i.test(agent.stderr()))).toBe(true);
    expect(hellos.some((h) => h.containerId === 'without-ca')).toBe(false);
    agent.child.kill('SIGKILL');
  });
});
