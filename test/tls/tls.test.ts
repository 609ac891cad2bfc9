// The daemon's own socket: mutual TLS as dockerd does it (docker --tlsverify), and the loopback rule.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, parseAddress, refusal } from '../../src/listen';
import { createLogger } from '../../src/log';
import { startDaemon, type RunningDaemon } from '../../src/start';
import { tlsFromFlags } from '../../src/tls/options';
import { makePki, type Pki } from './certs';

let dir: string;
let pki: Pki;
let running: RunningDaemon;
let port: number;

function docker(args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // HOME and DOCKER_CONFIG point at an empty directory, so no default client certificate is found.
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: join(dir, 'docker-config') };
    execFile('docker', ['-H', `tcp://127.0.0.1:${port}`, ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A Node HTTPS client with optional client credentials: the status, or the connection error. */
async function ping(client?: { cert: string; key: string }): Promise<number | Error> {
  const ca = await readFile(pki.ca);
  const creds = client ? { cert: await readFile(client.cert), key: await readFile(client.key) } : {};
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/_ping', ca, ...creds }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', resolve);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockerless-tls-'));
  pki = await makePki(dir);
  running = await startDaemon({
    hosts: ['tcp://127.0.0.1:0'],
    tls: await tlsFromFlags({ tlsverify: true, tlscacert: pki.ca, tlscert: pki.serverCert, tlskey: pki.serverKey }),
    dataRoot: join(dir, 'data'),
    env: {},
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
    simulator: { stopGraceMs: 2000 },
  });
  port = Number(new URL(running.listeners[0]!.url.replace(/^tcp:/, 'http:')).port);
});

afterAll(async () => {
  await running?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mutual TLS (--tlsverify)', () => {
  const verified = () => ['--tlsverify', '--tlscacert', pki.ca, '--tlscert', pki.clientCert, '--tlskey', pki.clientKey];

  it('docker --tlsverify with a client certificate signed by the CA reaches the daemon', async () => {
    const r = await docker([...verified(), 'version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\S+ 1\.\d+$/);
  });

  it('docker run --rm over mutual TLS: the hijacked attach stream carries the output', async () => {
    expect((await docker([...verified(), 'pull', '-q', 'alpine'])).code).toBe(0);
    const r = await docker([...verified(), 'run', '--rm', 'alpine', 'echo', 'hi'], 60_000);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it('a client without a certificate is refused', async () => {
    const r = await docker(['--tls', '--tlscacert', pki.ca, 'version', '--format', '{{.Server.Version}}']);
    expect(r.code).not.toBe(0);
    expect(r.stdout.trim()).toBe('');
    expect(await ping()).toBeInstanceOf(Error);
  });

  it('a client certificate from another CA is refused', async () => {
    const r = await docker(['--tlsverify', '--tlscacert', pki.ca, '--tlscert', pki.rogueCert, '--tlskey', pki.rogueKey, 'version', '--format', '{{.Server.Version}}']);
    expect(r.code).not.toBe(0);
    expect(await ping({ cert: pki.rogueCert, key: pki.rogueKey })).toBeInstanceOf(Error);
  });

  it('plain HTTP to the TLS port gets no Docker answer', async () => {
    const r = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile('docker', ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Version}}'], { env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: join(dir, 'docker-config') } }, (err, stdout) =>
        resolve({ code: err ? 1 : 0, stdout }),
      ),
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  it('a Node client with the CA-signed certificate gets 200 from /_ping', async () => {
    expect(await ping({ cert: pki.clientCert, key: pki.clientKey })).toBe(200);
  });
});

describe('the loopback rule', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1', '127.0.0.1.example.com']) expect(isLoopback(h)).toBe(false);
  });

  it('parses -H addresses, IPv6 in brackets included', () => {
    expect(parseAddress('tcp://[::1]:2375')).toEqual({ kind: 'tcp', host: '::1', port: 2375 });
    expect(parseAddress('tcp://:2375')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375 });
    expect(parseAddress('unix:///run/x.sock')).toEqual({ kind: 'unix', path: '/run/x.sock' });
    expect(() => parseAddress('tcp://host:99999')).toThrow(/invalid -H address/);
  });

  it('refuses non-loopback TCP without --tlsverify; allows unix sockets, loopback, mutual TLS, or --insecure-listen', () => {
    const any = parseAddress('tcp://0.0.0.0:2375');
    expect(refusal(any, {})).toMatch(/refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without --tlsverify.*--insecure-listen/);
    // --tls alone authenticates nobody, so it does not make a public address safe.
    expect(refusal(any, { tls: { cert: '', key: '', verify: false } })).toMatch(/refusing/);
    expect(refusal(any, { tls: { cert: '', key: '', ca: '', verify: true } })).toBeUndefined();
    expect(refusal(any, { insecure: true })).toBeUndefined();
    expect(refusal(parseAddress('tcp://127.0.0.1:2375'), {})).toBeUndefined();
    expect(refusal(parseAddress('unix:///tmp/d.sock'), {})).toBeUndefined();
  });

  it('startDaemon refuses 0.0.0.0 without TLS before starting anything', async () => {
    await expect(startDaemon({ hosts: ['tcp://0.0.0.0:0'], dataRoot: join(dir, 'refused'), env: {}, logger: createLogger('silent') })).rejects.toThrow(
      /refusing to listen on tcp:\/\/0\.0\.0\.0:0 without --tlsverify/,
    );
  });

  it('with --insecure-listen it serves 0.0.0.0 anyway', async () => {
    const open = await startDaemon({ hosts: ['tcp://0.0.0.0:0'], insecureListen: true, dataRoot: join(dir, 'open'), env: {}, logger: createLogger('silent') });
    try {
      expect(open.listeners[0]!.url).toMatch(/^tcp:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await open.close();
    }
  });

  it('the CLI exits 1 with the reason for a public address without TLS', async () => {
    const main = join(import.meta.dirname, '../../src/main.ts');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', main, '-H', 'tcp://0.0.0.0:0', '--data-root', join(dir, 'cli')], { env: { PATH: process.env.PATH, HOME: dir }, timeout: 110_000 }, (err, _out, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sockerless-aca: refusing to listen on tcp:\/\/0\.0\.0\.0:0 without --tlsverify/);
  }, 120_000); // a fresh node + tsx process; slow only when the machine is busy
});

describe('TLS flags', () => {
  it('--tlsverify reads the CA, certificate and key; --tls alone needs no CA', async () => {
    const verify = await tlsFromFlags({ tlsverify: true, tlscacert: pki.ca, tlscert: pki.serverCert, tlskey: pki.serverKey });
    expect(verify).toMatchObject({ verify: true });
    expect(String(verify!.ca)).toContain('BEGIN CERTIFICATE');
    const plain = await tlsFromFlags({ tls: true, tlscert: pki.serverCert, tlskey: pki.serverKey });
    expect(plain).toMatchObject({ verify: false, ca: undefined });
  });

  it('certificate files default to $DOCKER_CERT_PATH/{ca,cert,key}.pem, with a clear error when missing', async () => {
    await expect(tlsFromFlags({ tlsverify: true }, join(dir, 'nowhere'))).rejects.toThrow(/--tlscert: cannot read .*nowhere\/cert\.pem/);
  });

  it('certificate flags without --tls or --tlsverify are an error, not a silent plain-text daemon', async () => {
    await expect(tlsFromFlags({ tlscert: pki.serverCert })).rejects.toThrow(/--tlscert given without --tls or --tlsverify/);
    expect(await tlsFromFlags({})).toBeUndefined();
  });
});
