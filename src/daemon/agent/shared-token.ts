import { createHmac, randomBytes } from 'node:crypto';
import type { JobSpec } from '../../aca/cloud';

export const AGENT_KEY_ENV = 'SOCKERLESS_AGENT_KEY';
export const AGENT_NONCE_ENV = 'SOCKERLESS_AGENT_NONCE';

/**
 * A start's agent token on a shared job. The job keeps one key (a secret every execution can
 * reference); each start sends a fresh nonce in its template, and both sides derive
 * HMAC(key, container id + nonce). The token never travels, and a new start's nonce makes the
 * previous execution's token stale, as a minted one would.
 */
export function deriveAgentToken(key: string, containerId: string, nonce: string): string {
  return createHmac('sha256', key).update(`${containerId}.${nonce}`).digest('base64url');
}

export const newNonce = (): string => randomBytes(16).toString('base64url');

/**
 * withAgent's spec with the per-start token secret swapped for the job's key and the start's
 * nonce, so nothing in it differs between starts at the job level.
 */
export function withSharedAgentKey(spec: JobSpec, keySecret: string, key: string, nonce: string): JobSpec {
  const tokenEnv = spec.env.find((e) => e.name === 'SOCKERLESS_AGENT_TOKEN');
  const tokenSecret = tokenEnv && 'secretRef' in tokenEnv ? tokenEnv.secretRef : undefined;
  return {
    ...spec,
    env: [
      ...spec.env.filter((e) => e.name !== 'SOCKERLESS_AGENT_TOKEN'),
      { name: AGENT_KEY_ENV, secretRef: keySecret },
      { name: AGENT_NONCE_ENV, value: nonce },
    ],
    secrets: [...(spec.secrets ?? []).filter((s) => s.name !== tokenSecret), { name: keySecret, value: key }],
  };
}
