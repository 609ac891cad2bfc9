import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authFromConfig, registryDomain } from '../../src/images/credentials';
import type { RegistryAuth } from '../../src/images/registry';
import { parseReference, withDefaultTag } from '../../src/images/reference';
import { pushImage } from '../../src/oci';
import { buildAgentImage, IMAGE_DIR, readLayout, writeLayout } from './image';

/**
 * Credentials for `registry`: SOCKERLESS_REGISTRY_USERNAME and SOCKERLESS_REGISTRY_PASSWORD when
 * set, else what `docker login` stored in $DOCKER_CONFIG/config.json (~/.docker): an `auths`
 * entry, or the credential helper it names (`credHelpers`, `credsStore`, e.g. `az acr login`'s).
 */
export function pushCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  if (env.SOCKERLESS_REGISTRY_USERNAME && env.SOCKERLESS_REGISTRY_PASSWORD) {
    return { username: env.SOCKERLESS_REGISTRY_USERNAME, password: env.SOCKERLESS_REGISTRY_PASSWORD };
  }
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    auths?: Record<string, Record<string, unknown>>; credHelpers?: Record<string, string>; credsStore?: string;
  };
  const domain = registryDomain(registry);
  const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[domain] ?? config.credsStore;
  const entry = Object.entries(config.auths ?? {}).find(([server]) => registryDomain(server) === domain)?.[1];
  if (entry && (entry.auth || entry.username || entry.identitytoken)) {
    const auth = authFromConfig(entry);
    // An identity token (as `az acr login` stores) is a refresh token: the registry takes it as the password of the zero GUID.
    if (auth.identityToken) return { username: '00000000-0000-0000-0000-000000000000', password: auth.identityToken };
    return auth;
  }
  if (!helper) return undefined;
  const out = execFileSync(`docker-credential-${helper}`, ['get'], { input: registry, encoding: 'utf8' });
  const { Username, Secret } = JSON.parse(out) as { Username: string; Secret: string };
  return Username === '<token>' ? { username: '00000000-0000-0000-0000-000000000000', password: Secret } : { username: Username, password: Secret };
}

/** Pushes the agent image (the layout `npm run agent:image` wrote; built now when missing) as `reference`. */
export async function pushAgentImage(reference: string, layout = IMAGE_DIR, auth?: RegistryAuth): Promise<{ reference: string; digest: string }> {
  if (!existsSync(join(layout, 'index.json'))) writeLayout(await buildAgentImage(), layout);
  const ref = withDefaultTag(parseReference(reference));
  const image = readLayout(layout);
  const { digest } = await pushImage({ registry: ref.domain, repository: ref.path, tag: ref.tag ?? 'latest' }, image, auth ?? pushCredentials(ref.domain));
  return { reference: `${ref.domain}/${ref.path}:${ref.tag ?? 'latest'}`, digest };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reference = process.argv.slice(2).find((a) => a !== '--');
  if (!reference) {
    process.stderr.write('usage: npm run agent:push -- REGISTRY/REPOSITORY[:TAG]\n');
    process.exit(2);
  }
  const pushed = await pushAgentImage(reference);
  const pinned = `${pushed.reference.replace(/:[^:/]+$/, '')}@${pushed.digest}`;
  process.stdout.write(`pushed ${pushed.reference} (${pushed.digest})\nset SOCKERLESS_AGENT_IMAGE=${pinned}\n`);
}
