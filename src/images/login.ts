import { baseUrl, basicAuth, type RegistryAuth, type RegistryOptions } from './registry';

export type LoginOutcome =
  | { kind: 'verified' }
  | { kind: 'rejected'; message: string }
  /** The registry could not be reached or answered something unexpected: nothing was verified. */
  | { kind: 'unverified'; reason: string };

/**
 * Checks credentials the way `docker login` does against a Registry v2: `GET /v2/`, then the
 * challenge it answers with (basic: the same request with the credentials; bearer: a token
 * request to the realm with them).
 */
export async function verifyLogin(domain: string, auth: RegistryAuth, options: RegistryOptions = {}): Promise<LoginOutcome> {
  const doFetch = options.fetch ?? fetch;
  const timeout = options.timeoutMs ?? 15_000;
  const url = `${baseUrl(domain, options.endpoints ?? {})}/v2/`;
  const get = async (target: string, authorization?: string) =>
    doFetch(target, { headers: authorization ? { Authorization: authorization } : {}, signal: AbortSignal.timeout(timeout) });
  try {
    const first = await get(url);
    if (first.ok) return { kind: 'unverified', reason: `${domain} accepts anonymous requests, so the credentials could not be checked` };
    const challenge = first.headers.get('www-authenticate') ?? '';
    if (first.status !== 401) return { kind: 'unverified', reason: `${url} answered ${first.status}` };
    if (/^basic\b/i.test(challenge)) {
      const res = await get(url, basicAuth(auth));
      if (res.ok) return { kind: 'verified' };
      if (res.status === 401) return { kind: 'rejected', message: `login attempt to ${url} failed with status: 401 Unauthorized` };
      return { kind: 'unverified', reason: `${url} answered ${res.status}` };
    }
    if (/^bearer\s/i.test(challenge)) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
      if (!params.realm) return { kind: 'unverified', reason: `bearer challenge without a realm: ${challenge}` };
      const token = new URL(params.realm);
      if (params.service) token.searchParams.set('service', params.service);
      if (auth.username) token.searchParams.set('account', auth.username);
      const res = await get(token.toString(), basicAuth(auth));
      if (res.ok) return { kind: 'verified' };
      if (res.status === 401 || res.status === 403) return { kind: 'rejected', message: `Get "${token.origin}${token.pathname}": unauthorized: incorrect username or password` };
      return { kind: 'unverified', reason: `${token.origin} answered ${res.status}` };
    }
    return { kind: 'unverified', reason: `${url} sent an unknown challenge: ${challenge}` };
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    return { kind: 'unverified', reason: `${url} could not be reached: ${cause instanceof Error ? cause.message : (err as Error).message}` };
  }
}
