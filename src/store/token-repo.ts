import type { Database, Statement } from 'better-sqlite3';

/**
 * SHA-256 digests of the agent tokens of containers' current starts, so an agent still running
 * in ACA can authenticate to a restarted daemon. Tokens themselves are never stored: a digest
 * of a 256-bit random token cannot be turned back into one, and it is the token an agent shows.
 */
export class TokenRepo {
  readonly #put: Statement;
  readonly #remove: Statement;
  readonly #all: Statement;

  constructor(db: Database) {
    this.#put = db.prepare('INSERT INTO agent_tokens (container_id, digest) VALUES (?, ?) ON CONFLICT (container_id) DO UPDATE SET digest = excluded.digest');
    this.#remove = db.prepare('DELETE FROM agent_tokens WHERE container_id = ?');
    this.#all = db.prepare('SELECT container_id, digest FROM agent_tokens');
  }

  put(containerId: string, digest: Buffer): void {
    this.#put.run(containerId, digest);
  }

  remove(containerId: string): void {
    this.#remove.run(containerId);
  }

  all(): Map<string, Buffer> {
    const rows = this.#all.all() as Array<{ container_id: string; digest: Buffer }>;
    return new Map(rows.map((r) => [r.container_id, r.digest]));
  }
}
