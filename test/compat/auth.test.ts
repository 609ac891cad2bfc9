// POST /auth and the registry-credential headers, without a network: the registry answers through a fake fetch.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/env';
import { renderError } from '../../src/api/errors';
import { authRouter } from '../../src/api/routers/auth';
import { CredentialStore, decodeRegistryAuth, decodeRegistryConfig, registryDomain } from '../../src/images/credentials';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function app(fetchImpl: typeof fetch) {
  const credentials = new CredentialStore();
  const a = new Hono<AppEnv>().route('/', authRouter({ credentials, registry: { fetch: fetchImpl } })).onError(renderError);
  const login = (body: object) => a.request('/auth', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { login, credentials };
}

describe('POST /auth', () => {
  it('says Login Succeeded only when the token service accepted the credentials', async () => {
    const seen: string[] = [];
    const { login, credentials } = app(async (input, init) => {
      const url = String(input);
      seen.push(`${url} ${(init?.headers as Record<string, string>)?.Authorization ?? '-'}`);
      if (url.endsWith('/v2/')) return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg"' } });
      const ok = (init?.headers as Record<string, string> | undefined)?.Authorization === `Basic ${Buffer.from('me:right').toString('base64')}`;
      return new Response(ok ? '{"token":"t"}' : '', { status: ok ? 200 : 401 });
    });
    const bad = await login({ username: 'me', password: 'wrong', serveraddress: 'https://reg.example' });
    expect(bad.status).toBe(401);
    expect(credentials.get('reg.example')).toBeUndefined();
    const good = await login({ username: 'me', password: 'right', serveraddress: 'https://reg.example' });
    expect(await good.json()).toEqual({ Status: 'Login Succeeded', IdentityToken: '' });
    expect(credentials.get('reg.example')).toEqual({ username: 'me', password: 'right' });
    expect(seen.at(-1)).toContain('https://auth.example/token?service=reg&account=me');
  });

  it('stores credentials it could not verify and says so instead of claiming success', async () => {
    const { login, credentials } = app(async () => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND registry-1.docker.io') });
    });
    const res = await login({ username: 'me', password: 'pw', serveraddress: 'https://index.docker.io/v1/' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { Status: string };
    expect(body.Status).not.toContain('Login Succeeded');
    expect(body.Status).toContain('Credentials for docker.io stored but not verified');
    expect(body.Status).toContain('ENOTFOUND');
    expect(credentials.get('docker.io')).toEqual({ username: 'me', password: 'pw' });
    expect((await login({ password: 'x' })).status).toBe(400);
  });
});

describe('registry credential headers', () => {
  it('decodes X-Registry-Auth (fields or packed auth), treats {} as none, and X-Registry-Config by registry', () => {
    expect(decodeRegistryAuth('e30=')).toBeUndefined();
    expect(decodeRegistryAuth(undefined)).toBeUndefined();
    expect(decodeRegistryAuth(b64({ username: 'u', password: 'p', serveraddress: 'x.io' }))).toMatchObject({ username: 'u', password: 'p' });
    expect(decodeRegistryAuth(b64({ auth: Buffer.from('u2:p:2').toString('base64') }))).toMatchObject({ username: 'u2', password: 'p:2' });
    const config = decodeRegistryConfig(b64({ 'https://index.docker.io/v1/': { username: 'a', password: 'b' }, 'localhost:5000': { auth: Buffer.from('c:d').toString('base64') } }));
    expect([...config.keys()].sort()).toEqual(['docker.io', 'localhost:5000']);
    expect(() => decodeRegistryAuth('%%%')).toThrow();
    expect(registryDomain('https://GHCR.io/v2/')).toBe('ghcr.io');
  });
});
