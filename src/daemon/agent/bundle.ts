import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The agent as one self-contained ES module (ws and tar-stream included) that plain `node`
 * runs: what a job carries into its container. Starting it costs a fraction of running the
 * TypeScript sources through tsx, on every container start. It is written under the project's
 * node_modules/.cache, which the simulator's replicas see, named by its content so concurrent
 * daemons share it.
 */
export async function bundleAgent(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../agent/main.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // CommonJS dependencies (ws, tar-stream) call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as sockerlessRequire } from 'node:module'; const require = sockerlessRequire(import.meta.url);" },
  });
  const code = result.outputFiles[0]!.contents;
  const dir = join(projectRoot, 'node_modules', '.cache', 'sockerless-agent');
  const file = join(dir, `agent-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  await ptyBinaryBeside(dir);
  if (await stat(file).then(() => true, () => false)) return file;
  await mkdir(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, code);
  await rename(temporary, file);
  return file;
}

/**
 * The PTY library's native binary, where the bundle's require finds it (node_modules beside
 * it): a replica sees the bundle's directory but not the checkout's node_modules.
 */
async function ptyBinaryBeside(dir: string): Promise<void> {
  const name = `@lydell/node-pty-${process.platform}-${process.arch}`;
  const target = join(dir, 'node_modules', name);
  if (await stat(join(target, 'pty.node')).then(() => true, () => false)) return;
  const source = dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  await mkdir(target, { recursive: true });
  for (const file of ['package.json', 'pty.node']) {
    const temporary = join(target, `${file}.${process.pid}.tmp`);
    await copyFile(join(source, file), temporary);
    await rename(temporary, join(target, file));
  }
}
