import type { Context, Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { build, BuildError } from '../../build/builder';
import { dockerfileFromContext } from '../../build/context';
import { DockerfileError } from '../../build/dockerfile';
import { familiarString, parseReference, withDefaultTag, type ImageStore } from '../../images';
import type { ImageRecord, PullMessage } from '../../images/types';
import type { AppEnv } from '../env';
import { invalidParameter, DockerError, notImplemented } from '../../errdefs';
import { bool } from '../query';
import { routeTable, type Route } from './route-table';

export interface BuildDeps {
  images: ImageStore;
  /** Pulls a FROM image; the router passes the request's registry credentials along. */
  pull(reference: string, onProgress: (m: PullMessage) => void, registryConfig: string | undefined): Promise<ImageRecord>;
  /** Publishes an image event (`tag` for each name the build gives). */
  announce?: (action: string, id: string, attributes: Record<string, string>) => void;
}

type Message = { stream: string } | { aux: { ID: string } } | PullMessage | { error: string; errorDetail: { message: string } };

function jsonMap<T>(name: string, schema: z.ZodType<Record<string, T>>, value: string | undefined): Record<string, T> {
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParameter(`invalid ${name}: ${value}`);
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) throw invalidParameter(`invalid ${name}: give a JSON object of strings`);
  return checked.data;
}
const buildArgs = (v: string | undefined) => jsonMap('buildargs', z.record(z.string(), z.string().nullable()), v);
const labels = (v: string | undefined) => jsonMap('labels', z.record(z.string(), z.string()), v);

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** `POST /build`: the legacy builder's request and JSON-lines stream; the image is built from its Dockerfile's config alone. */
export function postBuild(c: Context<AppEnv>, deps: BuildDeps) {
  const q = (k: string) => c.req.query(k);
  if (q('version') === '2') {
    throw notImplemented('BuildKit builds (version=2) are not supported: Sockerless ACA has the legacy builder only (DOCKER_BUILDKIT=0)');
  }
  if (q('remote')) throw notImplemented('remote build contexts (git or URL) are not supported: send the context as a tar body');
  const platform = q('platform') ?? '';
  if (!['', 'linux', 'linux/amd64'].includes(platform)) throw invalidParameter(`platform "${platform}" is not supported: Azure Container Apps runs linux/amd64 images`);
  const tags = (c.req.queries('t') ?? []).filter(Boolean);
  for (const t of tags) {
    const ref = parseReference(t);
    if (ref.digest) throw invalidParameter(`invalid tag ${t}: a build cannot tag with a digest`);
  }
  const request = {
    dockerfileName: q('dockerfile') || 'Dockerfile',
    buildArgs: buildArgs(q('buildargs')),
    labels: labels(q('labels')),
    pull: bool(q('pull')),
    ...(q('target') ? { target: q('target') } : {}),
  };
  const quiet = bool(q('q'));
  for (const flag of ['rm', 'forcerm', 'nocache', 'squash']) bool(q(flag));
  const registryConfig = c.req.header('x-registry-config');
  const body = c.req.raw.body;

  c.header('Content-Type', 'application/json');
  return stream(c, async (out) => {
    const held: Message[] = [];
    const send = (m: Message) => (quiet ? void held.push(m) : void out.write(`${JSON.stringify(m)}\r\n`));
    try {
      const dockerfile = await dockerfileFromContext(body, request.dockerfileName);
      const { body: image } = await build(
        { ...request, dockerfile },
        {
          baseImage: async (reference, pull) => (!pull && deps.images.find(reference)) || deps.pull(reference, send, registryConfig),
          say: (text) => send({ stream: text }),
          now: () => new Date(),
        },
      );
      const record = deps.images.addBuilt(image, tags);
      send({ aux: { ID: record.Id } });
      send({ stream: `Successfully built ${short(record.Id)}\n` });
      for (const t of tags) {
        const name = familiarString(withDefaultTag(parseReference(t)));
        deps.announce?.('tag', record.Id, { name });
        send({ stream: `Successfully tagged ${name}\n` });
      }
      if (quiet) await out.write(`${JSON.stringify({ stream: `${record.Id}\n` })}\r\n`);
    } catch (err) {
      const known = err instanceof BuildError || err instanceof DockerfileError || err instanceof DockerError;
      const message = err instanceof Error ? err.message : String(err);
      for (const m of held) await out.write(`${JSON.stringify(m)}\r\n`);
      await out.write(`${JSON.stringify({ errorDetail: { message }, error: known ? message : `build failed: ${message}` })}\r\n`);
    }
  });
}

export const BUILD_ROUTES: readonly Route<BuildDeps>[] = [['POST', '/build', postBuild]];

export const buildRouter = (deps: BuildDeps): Hono<AppEnv> => routeTable(BUILD_ROUTES, deps);
