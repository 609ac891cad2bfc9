import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { Context } from 'hono';

import { unauthorized } from './errors';
import type { SimulatorSettings } from './options';
import type { Audience, RouteSpec } from './routing';

const TOKEN_LIFETIME_SECONDS = 3599;

/** Resources (token audiences) each protected API accepts; the scope asked for is `<resource>/.default`. */
const ACCEPTED_RESOURCES: Record<Exclude<Audience, 'none'>, readonly string[]> = {
  arm: ['https://management.azure.com', 'https://management.core.windows.net'],
  logs: ['https://api.loganalytics.io'],
};

interface IssuedToken {
  resource: string;
  expiresAt: number;
}

function resourceOfScope(scope: string): string {
  const first = scope.split(' ').find((s) => s.endsWith('/.default')) ?? scope.split(' ')[0] ?? '';
  return first.replace(/\/\.default$/, '').replace(/\/$/, '');
}

function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Access tokens this simulator issued; only these open the ARM and Log Analytics routes. */
export class TokenRegistry {
  #tokens = new Map<string, IssuedToken>();

  issue(scope: string): { token: string; expiresIn: number } {
    const token = randomBytes(32).toString('base64url');
    this.#tokens.set(token, { resource: resourceOfScope(scope), expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000 });
    return { token, expiresIn: TOKEN_LIFETIME_SECONDS };
  }

  /** Throws a 401 ServiceError unless the header carries a live token for `audience`. */
  authorize(header: string | undefined, audience: Exclude<Audience, 'none'>): void {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) {
      throw unauthorized('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.");
    }
    const issued = this.#tokens.get(match[1]!);
    if (!issued || issued.expiresAt <= Date.now()) {
      throw unauthorized('AuthenticationFailed', 'Authentication failed. The access token is invalid or expired.');
    }
    if (!ACCEPTED_RESOURCES[audience].includes(issued.resource)) {
      throw unauthorized(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for the wrong audience or resource '${issued.resource}'. It should be one of: ${ACCEPTED_RESOURCES[audience].join(', ')}.`,
      );
    }
  }
}

function entraError(c: Context, status: 400 | 401, error: string, description: string, code: number): Response {
  return c.json({ error, error_description: `AADSTS${code}: ${description}`, error_codes: [code], timestamp: new Date().toISOString() }, status);
}

/** The two endpoints ClientSecretCredential calls (OpenID discovery, then the token). */
export function identityRoutes(settings: SimulatorSettings, tokens: TokenRegistry): RouteSpec[] {
  const knownTenant = (tenant: string): boolean => tenant.toLowerCase() === settings.tenantId.toLowerCase();

  return [
    {
      method: 'GET',
      path: '/:tenant/v2.0/.well-known/openid-configuration',
      operation: 'openidConfiguration',
      kind: 'identity',
      audience: 'none',
      handle(c) {
        const tenant = c.req.param('tenant')!;
        if (!knownTenant(tenant)) return entraError(c, 400, 'invalid_tenant', `Tenant '${tenant}' not found.`, 90002);
        const base = `${new URL(c.req.url).origin}/${tenant}`;
        return c.json({
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        });
      },
    },
    {
      method: 'POST',
      path: '/:tenant/oauth2/v2.0/token',
      operation: 'token',
      kind: 'identity',
      audience: 'none',
      async handle(c) {
        const tenant = c.req.param('tenant')!;
        if (!knownTenant(tenant)) return entraError(c, 400, 'invalid_tenant', `Tenant '${tenant}' not found.`, 90002);
        const form = new URLSearchParams(await c.req.text());
        if (form.get('grant_type') !== 'client_credentials') {
          return entraError(c, 400, 'unsupported_grant_type', 'Only the client_credentials grant is supported by the simulator.', 70003);
        }
        if (form.get('client_id') !== settings.clientId) {
          return entraError(c, 400, 'unauthorized_client', `Application with identifier '${form.get('client_id') ?? ''}' was not found.`, 700016);
        }
        if (!secretsEqual(form.get('client_secret') ?? '', settings.clientSecret)) {
          return entraError(c, 401, 'invalid_client', 'Invalid client secret provided.', 7000215);
        }
        const scope = form.get('scope') ?? '';
        if (!scope) return entraError(c, 400, 'invalid_scope', 'The scope is missing.', 70011);
        const { token, expiresIn } = tokens.issue(scope);
        return c.json({ token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token });
      },
    },
  ];
}
