// Which environment variables are secrets: they go to the job as ACA secrets (referenced with
// secretRef, so ACA never serves their values back) and `docker inspect` masks them.

export const DEFAULT_SECRET_PATTERNS = ['*_TOKEN', '*_PASSWORD', '*_SECRET', '*_KEY'];

/** What inspect shows instead of a secret's value. */
export const MASK = '******';

export interface SecretEnvSettings {
  /** Exact names (SOCKERLESS_SECRET_ENV). */
  names: readonly string[];
  /** Shell-style patterns, `*` for any run of characters (SOCKERLESS_SECRET_ENV_PATTERNS). */
  patterns: readonly string[];
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

export class SecretEnv {
  readonly #names: ReadonlySet<string>;
  readonly #patterns: RegExp[];

  constructor(settings: SecretEnvSettings = { names: [], patterns: DEFAULT_SECRET_PATTERNS }) {
    this.#names = new Set(settings.names);
    // Names compare as given: Linux env names are case-sensitive, and so is Docker.
    this.#patterns = settings.patterns.map((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`));
  }

  isSecret(name: string): boolean {
    return this.#names.has(name) || this.#patterns.some((p) => p.test(name));
  }

  /** `NAME=value` entries with the secrets' values masked (entries without `=` stay as they are). */
  mask(env: readonly string[]): string[] {
    return env.map((kv) => {
      const eq = kv.indexOf('=');
      return eq > 0 && this.isSecret(kv.slice(0, eq)) ? `${kv.slice(0, eq)}=${MASK}` : kv;
    });
  }

  /**
   * Splits a job's variables: secrets become ACA secrets named after them (ACA allows lowercase
   * letters, digits, `-` and `.`), the variables refer to them.
   */
  split(env: ReadonlyArray<{ name: string; value: string }>): {
    env: Array<{ name: string; value: string } | { name: string; secretRef: string }>;
    secrets: Array<{ name: string; value: string }>;
  } {
    const secrets: Array<{ name: string; value: string }> = [];
    const taken = new Set<string>();
    const out = env.map((e) => {
      if (!this.isSecret(e.name)) return e;
      const slug = e.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 200);
      const base = `env-${slug || 'var'}`;
      let name = base;
      for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
      taken.add(name);
      secrets.push({ name, value: e.value });
      return { name: e.name, secretRef: name };
    });
    return { env: out, secrets };
  }
}
