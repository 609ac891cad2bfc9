import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TlsOptions } from '../listen';

/** dockerd's TLS flags, as given on the command line. */
export interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/**
 * dockerd's TLS flags → the listener's TLS options: `--tlsverify` (mutual TLS: clients must
 * present a certificate signed by `--tlscacert`) implies `--tls` (the daemon presents
 * `--tlscert`/`--tlskey`). Files default to `ca.pem`, `cert.pem`, `key.pem` in
 * `$DOCKER_CERT_PATH` or `~/.docker`, as dockerd's do. Undefined when TLS is off.
 */
export async function tlsFromFlags(flags: TlsFlags, certPath?: string): Promise<TlsOptions | undefined> {
  const verify = flags.tlsverify ?? false;
  if (!flags.tls && !verify) {
    const given = (['tlscacert', 'tlscert', 'tlskey'] as const).filter((f) => flags[f] !== undefined);
    if (given.length) throw new Error(`--${given.join(', --')} given without --tls or --tlsverify: pass --tlsverify for mutual TLS`);
    return undefined;
  }
  const dir = certPath || join(homedir(), '.docker');
  const read = async (flag: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`--${flag}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  return {
    cert: await read('tlscert', flags.tlscert ?? join(dir, 'cert.pem')),
    key: await read('tlskey', flags.tlskey ?? join(dir, 'key.pem')),
    ca: verify || flags.tlscacert ? await read('tlscacert', flags.tlscacert ?? join(dir, 'ca.pem')) : undefined,
    verify,
  };
}
