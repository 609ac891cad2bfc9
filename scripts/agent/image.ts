import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, packDirectory, type BuiltImage } from '../../src/oci';
import { ARTIFACT_DIR, buildAgentArtifact } from './artifact';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where `npm run agent:image` writes the image, as an OCI image layout. */
export const IMAGE_DIR = join(root, 'dist', 'agent-image');
/** Where the artifact sits in the image: not /sockerless, which the init container's EmptyDir covers. */
const IN_IMAGE = 'sockerless-agent';

/**
 * The agent's image: the artifact under /sockerless-agent, `/agent` linking to its init, and
 * `/agent install /sockerless` as its command (what the daemon's init container runs). One
 * layer, files owned by root, readable and runnable by anyone.
 */
export async function buildAgentImage(artifactDir = ARTIFACT_DIR): Promise<BuiltImage> {
  if (!existsSync(join(artifactDir, 'MANIFEST'))) await buildAgentArtifact(artifactDir);
  const stage = mkdtempSync(join(tmpdir(), 'sockerless-agent-image-'));
  try {
    cpSync(artifactDir, join(stage, IN_IMAGE), { recursive: true });
    symlinkSync(`${IN_IMAGE}/agent`, join(stage, 'agent'));
    const layer = await packDirectory(stage, { uid: 0, gid: 0 });
    return buildImage([layer], {
      entrypoint: ['/agent'],
      cmd: ['install', '/sockerless'],
      labels: { 'org.opencontainers.image.title': 'sockerless-aca agent', 'org.opencontainers.image.description': 'The in-job agent of Sockerless ACA: copies itself to /sockerless for the main container' },
    }, 'oci');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Writes `image` as an OCI image layout (oci-layout, index.json, blobs/sha256/…). */
export function writeLayout(image: BuiltImage, dir = IMAGE_DIR): void {
  rmSync(dir, { recursive: true, force: true });
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (digest: string, data: Buffer) => writeFileSync(join(blobs, digest.replace(/^sha256:/, '')), data);
  put(image.configDigest, image.config);
  for (const layer of image.layers) put(layer.digest, layer.blob);
  put(image.manifestDigest, image.manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifest.length }],
  }, null, 2));
}

/** The image an OCI layout written by writeLayout holds. */
export function readLayout(dir = IMAGE_DIR): BuiltImage {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ mediaType: string; digest: string }> };
  const entry = index.manifests[0];
  if (!entry) throw new Error(`${dir}: index.json names no manifest`);
  const blob = (digest: string) => readFileSync(join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
  const manifest = blob(entry.digest);
  const parsed = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const config = blob(parsed.config.digest);
  const diffIds = (JSON.parse(config.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  return {
    config,
    configDigest: parsed.config.digest,
    layers: parsed.layers.map((l, i) => ({ blob: blob(l.digest), digest: l.digest, diffId: diffIds[i]! })),
    manifest,
    manifestDigest: entry.digest,
    manifestMediaType: entry.mediaType,
  };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const artifact = await buildAgentArtifact();
  const image = await buildAgentImage(artifact.dir);
  writeLayout(image);
  const compressed = image.layers.reduce((n, l) => n + l.blob.length, 0);
  process.stdout.write(`${IMAGE_DIR}: ${image.manifestDigest}, layer ${(compressed / 1e6).toFixed(1)} MB compressed (artifact ${(artifact.bytes / 1e6).toFixed(1)} MB)\n`);
}
