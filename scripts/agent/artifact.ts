import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** Where `npm run agent:artifact` writes the artifact. */
export const ARTIFACT_DIR = join(root, 'dist', 'agent');
/** The PTY library's binary package; its pty.node is loaded at run time from the artifact's node_modules. */
const PTY_BINARY = `@lydell/node-pty-${process.platform}-${process.arch}`;

export interface ArtifactReport {
  dir: string;
  /** Bytes of every file of the artifact. */
  bytes: number;
  files: string[];
}

/**
 * The portable agent: one directory that runs in any linux/amd64 image whatever its libc.
 *
 *   agent                static init (src/agent/artifact/init.c): starts the rest, reaps orphans; `agent install DEST`
 *   agent.mjs            the agent (src/agent) bundled by esbuild, ws and tar-stream included
 *   lib/node             this machine's Node binary, stripped
 *   lib/*.so*            the shared libraries Node and the PTY binary link, and their loader
 *   node_modules/@lydell/node-pty-linux-x64/pty.node   the PTY library's prebuilt binary
 *
 * Node's root certificates are compiled into its binary, so wss:// to a public endpoint
 * needs nothing from the image; SOCKERLESS_AGENT_CA adds a custom CA.
 */
export async function buildAgentArtifact(dir = ARTIFACT_DIR): Promise<ArtifactReport> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the agent artifact is built on linux/amd64');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'lib'), { recursive: true });

  await build({
    entryPoints: [join(root, 'src/agent/main.ts')],
    outfile: join(dir, 'agent.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    logLevel: 'error',
    external: [`${PTY_BINARY}/*`],
    banner: { js: "import { createRequire as sockerlessRequire } from 'node:module'; const require = sockerlessRequire(import.meta.url);" },
  });

  const ptyDir = dirname(require.resolve(`${PTY_BINARY}/package.json`));
  const ptyOut = join(dir, 'node_modules', PTY_BINARY);
  mkdirSync(ptyOut, { recursive: true });
  copyFileSync(join(ptyDir, 'package.json'), join(ptyOut, 'package.json'));
  copyFileSync(join(ptyDir, 'pty.node'), join(ptyOut, 'pty.node'));

  const node = realpathSync(process.execPath);
  execFileSync('strip', ['--strip-all', '-o', join(dir, 'lib', 'node'), node]);
  for (const [soname, path] of sharedLibraries([node, join(ptyDir, 'pty.node')])) {
    const out = join(dir, 'lib', soname);
    execFileSync('strip', ['--strip-unneeded', '-o', out, path]);
  }

  compileInit(join(dir, 'agent'));
  for (const file of walk(dir)) chmodSync(file, statSync(file).mode & 0o111 || /\.so|\/lib\/node$|\/agent$/.test(file) ? 0o755 : 0o644);
  const files = walk(dir).map((f) => f.slice(dir.length + 1));
  const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  writeFileSync(join(dir, 'MANIFEST'), `${files.join('\n')}\n`);
  return { dir, bytes, files };
}

/** Every shared library the binaries link, by soname (ldd's view), the loader included. */
function sharedLibraries(binaries: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const binary of binaries) {
    const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const linked = /^\s*(\S+) => (\/\S+)/.exec(line);
      if (linked) found.set(linked[1]!, realpathSync(linked[2]!));
      const loader = /^\s*(\/\S*ld-linux[^\s]*)/.exec(line);
      if (loader) found.set(basename(loader[1]!), realpathSync(loader[1]!));
    }
  }
  if (!found.has('ld-linux-x86-64.so.2')) throw new Error('no dynamic loader found in ldd output');
  return found;
}

/** The init, linked statically (musl-gcc when present: about 55 KB; else glibc's static libc). */
function compileInit(out: string): void {
  const source = join(root, 'src/agent/artifact/init.c');
  const hasMusl = (() => { try { execFileSync('musl-gcc', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  execFileSync(hasMusl ? 'musl-gcc' : 'gcc', ['-Os', '-static', '-s', '-o', out, source], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out.sort();
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await buildAgentArtifact(process.argv[2] ?? ARTIFACT_DIR);
  process.stdout.write(`${report.dir}: ${report.files.length} files, ${(report.bytes / 1e6).toFixed(1)} MB\n`);
  if (!existsSync(join(report.dir, 'agent'))) process.exitCode = 1;
}
