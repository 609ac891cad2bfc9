import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rawRequest, startHarness } from './helpers';
import type { SimHarness } from './helpers';

describe('identity and bearer tokens', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const jobsPath = () => `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs?api-version=2026-07-01`;

  it('serves the OpenID configuration MSAL needs, with the issuer on the same origin', async () => {
    const res = await rawRequest(h.sim, 'GET', `/${h.sim.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const config = JSON.parse(res.body);
    expect(config.issuer).toBe(`${h.sim.url}/${h.sim.tenantId}/v2.0`);
    expect(config.token_endpoint).toBe(`${h.sim.url}/${h.sim.tenantId}/oauth2/v2.0/token`);
    expect(config.authorization_endpoint).toBeTruthy();
    expect(config.jwks_uri).toBeTruthy();
  });

  it('issues tokens to ClientSecretCredential', async () => {
    const token = await h.credential.getToken('https://management.azure.com/.default');
    expect(token.token.length).toBeGreaterThan(20);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('refuses a wrong client secret: the SDK call fails with invalid_client', async () => {
    const bad = new ClientSecretCredential(h.sim.tenantId, h.sim.clientId, 'wrong-secret', {
      authorityHost: h.sim.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: h.sim.ca },
    });
    const err = (await bad.getToken('https://management.azure.com/.default').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('invalid_client');

    const arm = new ContainerAppsAPIClient(bad, h.sim.subscriptionId, { endpoint: h.sim.url, tlsOptions: { ca: h.sim.ca } });
    h.sim.resetStats();
    await expect(arm.jobs.get(h.rg, 'any')).rejects.toThrow(/invalid_client/);
    expect(h.sim.stats().byOperation.Jobs_Get).toBeUndefined();
  });

  it('the token endpoint answers 401 invalid_client for a wrong secret', async () => {
    const form = new URLSearchParams({ client_id: h.sim.clientId, client_secret: 'nope', grant_type: 'client_credentials', scope: 'https://management.azure.com/.default' });
    const res = await rawRequest(h.sim, 'POST', `/${h.sim.tenantId}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error).toBe('invalid_client');
  });

  it('answers 401 AuthenticationFailed without a bearer token, or with one it did not issue', async () => {
    const none = await rawRequest(h.sim, 'GET', jobsPath());
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('AuthenticationFailed');

    const forged = await rawRequest(h.sim, 'GET', jobsPath(), { authorization: 'Bearer not-a-token-it-issued' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error.code).toBe('AuthenticationFailed');

    const token = (await h.credential.getToken('https://management.azure.com/.default')).token;
    const ok = await rawRequest(h.sim, 'GET', jobsPath(), { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ value: [] });
  });

  it('rejects a token issued for another audience', async () => {
    const logsToken = (await h.credential.getToken('https://api.loganalytics.io/.default')).token;
    const res = await rawRequest(h.sim, 'GET', jobsPath(), { authorization: `Bearer ${logsToken}` });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('InvalidAuthenticationTokenAudience');
  });

  it('does not log secrets or tokens', async () => {
    const lines: string[] = [];
    const logger = { info: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')), warn: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')) };
    const other = await startHarness({ logger });
    try {
      const token = (await other.credential.getToken('https://management.azure.com/.default')).token;
      await other.arm.jobs.get(other.rg, 'missing').catch(() => undefined);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).not.toContain(token);
        expect(line).not.toContain(other.sim.clientSecret);
      }
    } finally {
      await other.close();
    }
  });
});
