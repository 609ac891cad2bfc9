import { canonicalJson, sha256Digest } from '../images/image-id';
import { formatReference, isDigest, isFullHexId, parseReference, withDefaultTag } from '../images/reference';
import type { ImageBody } from '../images/synthetic';
import type { ImageConfig, ImageHistoryRecord, ImageRecord, RunImage } from '../images/types';
import { parseDockerfile, type Stage, type Step } from './dockerfile';
import { applyInstruction, StepError, varsOf, type StageState } from './instructions';
import { processWord, WordError } from './shell-words';

export interface BuildRequest {
  dockerfile: string;
  dockerfileName: string;
  /** `--build-arg`: null means "declared without a value" (the CLI sends that when the variable is unset). */
  buildArgs: Record<string, string | null>;
  /** `--label`: added to the final image, as a last LABEL step. */
  labels: Record<string, string>;
  target?: string;
  /** `--pull`: refresh FROM images even when present. */
  pull: boolean;
}

export interface BuildHooks {
  /** The image a FROM names, pulled through the image store when missing (or when `pull`). */
  baseImage(reference: string, pull: boolean): Promise<ImageRecord>;
  /** A line for the client, as `{"stream": ...}`. */
  say(text: string): void;
  now(): Date;
}

/** Said on every RUN, COPY and ADD line: the build never pretends those ran. */
export const NOT_EXECUTED = (keyword: string) =>
  `${keyword} not executed: Sockerless ACA builds image configs only; run steps need a registry build (ACR Tasks)`;

const BUILT_COMMENT = 'built by Sockerless ACA: image config only; RUN, COPY and ADD steps were not executed';

/** Build args Docker accepts without an ARG and never reports as unused. */
const PREDEFINED_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export class BuildError extends Error {}

interface StageResult extends StageState {
  layers: string[];
  history: ImageHistoryRecord[];
  runImage?: RunImage;
  id: string;
}

const emptyConfig = (): ImageConfig => ({ User: '', Env: [], Cmd: null, Entrypoint: null, WorkingDir: '', Labels: null, ExposedPorts: null, Volumes: null });

/** The image id a state would have: the digest of its config blob (times left out, so a rebuild of the same Dockerfile gives the same id). */
function idOf(s: StageResult): string {
  return sha256Digest(
    canonicalJson({
      architecture: 'amd64',
      os: 'linux',
      author: s.author || undefined,
      config: s.config,
      rootfs: { type: 'layers', diff_ids: s.layers },
      history: s.history.map((h) => ({ created_by: h.CreatedBy, comment: h.Comment || undefined, empty_layer: h.EmptyLayer })),
    }),
  );
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/**
 * The legacy builder's work, minus execution: evaluates the Dockerfile stage by stage into an image
 * config, saying on every RUN/COPY/ADD that it did not run. Streams Docker's step lines through `say`.
 */
export async function build(req: BuildRequest, hooks: BuildHooks): Promise<{ body: ImageBody; lastStepId: string }> {
  try {
    return await buildStages(req, hooks);
  } catch (err) {
    if (err instanceof StepError || err instanceof WordError) throw new BuildError(err.message);
    throw err;
  }
}

async function buildStages(req: BuildRequest, hooks: BuildHooks): Promise<{ body: ImageBody; lastStepId: string }> {
  const parsed = parseDockerfile(req.dockerfile, req.dockerfileName);
  const escape = parsed.escape;
  let last = parsed.stages.length - 1;
  if (req.target) {
    last = parsed.stages.findIndex((s) => s.name === req.target!.toLowerCase());
    if (last < 0) throw new BuildError(`failed to reach build target ${req.target} in Dockerfile`);
  }
  const stages = parsed.stages.slice(0, last + 1);
  const labelStep: Step | undefined = Object.keys(req.labels).length
    ? { keyword: 'LABEL', line: 0, text: `LABEL ${Object.entries(req.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`, args: '', flags: {}, properties: Object.entries(req.labels).map(([name, value]) => ({ name, value: `'${value.replace(/'/g, `'"'"'`)}'` })) }
    : undefined;
  if (labelStep) stages[stages.length - 1] = { ...stages.at(-1)!, steps: [...stages.at(-1)!.steps, labelStep] };
  const total = parsed.metaArgs.length + stages.reduce((n, s) => n + 1 + s.steps.length, 0);
  const consumed = new Set<string>();
  let n = 0;
  const announce = (step: Step) => hooks.say(`Step ${++n}/${total} : ${step.text}\n`);

  // ARGs before the first FROM: the only variables FROM sees; a stage sees them only by redeclaring them.
  const meta = new Map<string, string>();
  for (const step of parsed.metaArgs) {
    announce(step);
    declareArgs(step, meta, new Map(meta), req.buildArgs, consumed, escape);
  }

  const done: Array<{ stage: Stage; result: StageResult }> = [];
  let result: StageResult | undefined;
  for (const stage of stages) {
    announce(stage.from);
    result = await fromStep(stage.from, meta, done, req.pull, escape, hooks);
    hooks.say(` ---> ${short(result.id)}\n`);
    for (const step of stage.steps) {
      announce(step);
      const created = hooks.now().toISOString();
      if (step.keyword === 'RUN' || step.keyword === 'COPY' || step.keyword === 'ADD') {
        hooks.say(` ---> ${NOT_EXECUTED(step.keyword)}\n`);
        result.history.push({ Created: created, CreatedBy: step.text, Comment: `${step.keyword} not executed by Sockerless ACA`, EmptyLayer: true });
      } else {
        if (step.keyword === 'ARG') {
          declareArgs(step, result.args, varsOf(result), req.buildArgs, consumed, escape, meta);
        } else {
          applyInstruction(result, step, escape);
        }
        result.history.push({ Created: created, CreatedBy: `/bin/sh -c #(nop)  ${step.text}`, Comment: '', EmptyLayer: true });
      }
      result.id = idOf(result);
      hooks.say(` ---> ${short(result.id)}\n`);
    }
    done.push({ stage, result });
  }

  const unused = Object.keys(req.buildArgs).filter((a) => !consumed.has(a) && !PREDEFINED_ARGS.includes(a));
  if (unused.length) hooks.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);

  const final = result!;
  const body: ImageBody = {
    Id: idOf(final),
    Created: hooks.now().toISOString(),
    Size: 0,
    Author: final.author,
    Comment: BUILT_COMMENT,
    Config: final.config,
    Architecture: 'amd64',
    Os: 'linux',
    Layers: final.layers,
    History: final.history,
    Origin: 'built',
    ...(final.runImage ? { RunImage: final.runImage } : {}),
  };
  return { body, lastStepId: final.id };
}

/** ARG name[=default] ...: the build arg wins, then the default, then (in a stage) the meta ARG of that name. */
function declareArgs(
  step: Step,
  into: Map<string, string>,
  vars: ReadonlyMap<string, string>,
  buildArgs: Record<string, string | null>,
  consumed: Set<string>,
  escape: string,
  meta?: ReadonlyMap<string, string>,
): void {
  if (!step.properties?.length) throw new BuildError(`ARG requires exactly one argument`);
  for (const p of step.properties) {
    consumed.add(p.name);
    const given = Object.hasOwn(buildArgs, p.name) ? buildArgs[p.name] : undefined;
    const value = given ?? (p.value !== null ? processWord(p.value, vars, escape) : meta?.get(p.name));
    if (value !== undefined) into.set(p.name, value);
    else into.delete(p.name);
  }
}

async function fromStep(
  step: Step,
  meta: ReadonlyMap<string, string>,
  done: Array<{ stage: Stage; result: StageResult }>,
  pull: boolean,
  escape: string,
  hooks: BuildHooks,
): Promise<StageResult> {
  const platform = step.flags.platform;
  if (platform != null) {
    const p = processWord(platform, meta, escape);
    if (!['linux', 'linux/amd64', ''].includes(p)) throw new BuildError(`platform ${p} is not supported: Azure Container Apps runs linux/amd64 images`);
  }
  const image = processWord(step.from!.image, meta, escape);
  const fresh = (base: Omit<StageResult, 'id' | 'args' | 'cmdSet' | 'shell'> & { shell?: string[] }): StageResult => {
    const r: StageResult = { ...structuredClone(base), shell: base.shell ?? ['/bin/sh', '-c'], args: new Map(), cmdSet: false, id: '' };
    r.id = idOf(r);
    return r;
  };
  const previous = done.find((d) => d.stage.name === image.toLowerCase());
  if (previous) {
    const p = previous.result;
    return fresh({ config: p.config, author: p.author, layers: p.layers, history: p.history, shell: p.shell, ...(p.runImage ? { runImage: p.runImage } : {}) });
  }
  if (image.toLowerCase() === 'scratch') return fresh({ config: emptyConfig(), author: '', layers: [], history: [] });
  const base = await hooks.baseImage(image, pull);
  // Its own copy of the environment: the stage's ENV steps must not change what the base carries.
  const runImage: RunImage = base.RunImage ?? { Reference: registryReference(image, base), Env: [...base.Config.Env] };
  return fresh({
    config: { ...emptyConfig(), ...base.Config },
    author: base.Author,
    layers: base.Layers,
    history: base.History,
    ...(base.Config.Shell ? { shell: base.Config.Shell } : {}),
    runImage,
  });
}

/** The reference ACA should pull for a FROM: as written (qualified), or the image's own tag when FROM named an id. */
function registryReference(image: string, base: ImageRecord): string {
  const byId = isFullHexId(image) || isDigest(image) || base.Id.replace(/^sha256:/, '').startsWith(image.replace(/^sha256:/, ''));
  if (!byId) return formatReference(withDefaultTag(parseReference(image)));
  return base.RepoTags[0] ?? base.RepoDigests[0] ?? image;
}
