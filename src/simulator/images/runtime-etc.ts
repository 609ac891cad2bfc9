import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a container runtime (kubelet, in ACA's case) puts into a container's /etc whatever the
 * image holds: `resolv.conf` (the host's resolvers), `hosts` and `hostname` for the replica.
 * Written into the replica's writable layer, so the image's own files are shadowed only in this
 * replica. Skipped when the image's /etc is not a plain directory (a symlink would be shadowed).
 */
export function writeRuntimeEtc(upper: string, lowerDirs: readonly string[], hostname: string): void {
  for (const lower of lowerDirs) {
    const st = lstatSync(join(lower, 'etc'), { throwIfNoEntry: false });
    if (st && !st.isDirectory()) return;
    if (st) break;
  }
  const etc = join(upper, 'etc');
  mkdirSync(etc, { mode: 0o755 });
  chmodSync(etc, 0o755);
  const resolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf') : '';
  writeFileSync(join(etc, 'resolv.conf'), resolv, { mode: 0o644 });
  writeFileSync(join(etc, 'hosts'), `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`, { mode: 0o644 });
  writeFileSync(join(etc, 'hostname'), `${hostname}\n`, { mode: 0o644 });
}
