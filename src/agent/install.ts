import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `agent install DEST`: the agent image's entry point, run by the init container. It copies the
 * artifact this bundle belongs to into DEST (the EmptyDir the main container mounts at
 * /sockerless), with modes any user can read and run: the image's USER may not be root.
 */
export function installArtifact(dest: string, from = dirname(fileURLToPath(import.meta.url))): number {
  if (!existsSync(join(from, 'lib', 'node')) || !existsSync(join(from, 'agent'))) {
    process.stderr.write(`agent install: ${from} is not an agent artifact (built by npm run agent:artifact)\n`);
    return 125;
  }
  copyTree(from, dest);
  return 0;
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else {
      copyFileSync(source, target);
      chmodSync(target, statSync(source).mode & 0o111 ? 0o755 : 0o644);
    }
  }
}
