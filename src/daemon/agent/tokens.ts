import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Agent tokens: one random secret per container start, kept only as a digest (never in the
 * container actor's context, so never in snapshots, `inspect` or the inspector). A new start
 * replaces the previous token, so an agent of an earlier execution cannot speak for this one.
 */
export class AgentTokens {
  readonly #digests = new Map<string, Buffer>();

  /** A fresh token for the container's next execution; the agent receives it as an ACA secret. */
  mint(containerId: string, given?: string): string {
    const token = given ?? randomBytes(32).toString('base64url');
    this.#digests.set(containerId, digest(token));
    return token;
  }

  /** Constant time whatever the token's length: both sides are compared as equal-length digests. */
  check(containerId: string, token: string | undefined): boolean {
    const expected = this.#digests.get(containerId) ?? digest(randomBytes(32).toString('base64url'));
    const ok = timingSafeEqual(expected, digest(token ?? ''));
    return ok && token !== undefined && this.#digests.has(containerId);
  }

  /** The digest of the container's current token (what a persistent store may keep). */
  digestOf(containerId: string): Buffer | undefined {
    return this.#digests.get(containerId);
  }

  /** Takes back a digest kept across a daemon restart. */
  restore(containerId: string, digest: Buffer): void {
    this.#digests.set(containerId, Buffer.from(digest));
  }

  revoke(containerId: string): void {
    this.#digests.delete(containerId);
  }
}
