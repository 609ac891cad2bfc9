import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `agent install DEST`: the agent image's entry point, run by the init container. It copies the
 * artifact this bundle belongs to (the files its MANIFEST lists) into DEST (the EmptyDir the
 * main container mounts at /sockerless), with modes any user can read and run: the image's USER
 * may not be root.
 */
export function installArtifact(dest: string, from = dirname(fileURLToPath(import.meta.url))): number {
  if (!existsSync(join(from, 'MANIFEST')) || !existsSync(join(from, 'agent'))) {
    process.stderr.write(`agent install: ${from} is not an agent artifact (built by npm run agent:artifact)\n`);
    return 125;
  }
  const files = readFileSync(join(from, 'MANIFEST'), 'utf8').split('\n').filter(Boolean);
  mkdirSync(dest, { recursive: true });
  chmodSync(dest, 0o755);
  for (const file of [...files, 'MANIFEST']) {
    const target = join(dest, file);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    copyFileSync(join(from, file), target);
    chmodSync(target, statSync(join(from, file)).mode & 0o111 ? 0o755 : 0o644);
  }
  return 0;
}
