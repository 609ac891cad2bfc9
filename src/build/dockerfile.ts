import { DockerfileParser, From, Onbuild, PropertyInstruction, type Instruction } from 'dockerfile-ast';

/** One instruction, reduced to what the builder reads. */
export interface Step {
  /** Upper case: `FROM`, `RUN`, ... */
  keyword: string;
  /** 1-based line of the instruction. */
  line: number;
  /** The instruction as written, continuation lines joined: what `Step N/M :` prints. */
  text: string;
  /** The arguments after the flags, continuation lines joined. */
  args: string;
  flags: Record<string, string | null>;
  /** The exec (JSON array) form, when the arguments are one. */
  json?: string[];
  /** ENV, LABEL, ARG: names and raw values (quotes and escapes still in, for the word processor). */
  properties?: Array<{ name: string; value: string | null }>;
  /** FROM: the image as written and the `AS` name. */
  from?: { image: string; stage?: string };
  /** ONBUILD: the trigger instruction's text. */
  trigger?: string;
}

export interface Stage {
  from: Step;
  /** Lower-cased `AS` name. */
  name?: string;
  steps: Step[];
}

export interface ParsedDockerfile {
  escape: string;
  /** ARGs before the first FROM: the only variables FROM may use. */
  metaArgs: Step[];
  stages: Stage[];
}

/** A Dockerfile the builder refuses; the message goes into the build stream's error line. */
export class DockerfileError extends Error {}

const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD',
  'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : undefined;
  } catch {
    return undefined; // Docker falls back to the shell form
  }
}

function toStep(instruction: Instruction, escape: string): Step {
  const keyword = instruction.getKeyword().toUpperCase();
  const line = instruction.getRange().start.line + 1;
  if (!KEYWORDS.has(keyword)) throw new DockerfileError(`dockerfile parse error on line ${line}: unknown instruction: ${keyword}`);
  const continuation = new RegExp(`${escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[ \\t]*\\r?\\n`, 'g');
  const args = instruction.getArgumentsContent() ?? '';
  const step: Step = {
    keyword,
    line,
    text: instruction.getTextContent().replace(continuation, '').trim(),
    args: args.trim(),
    flags: Object.fromEntries(
      'getFlags' in instruction && typeof instruction.getFlags === 'function'
        ? (instruction.getFlags() as Array<{ getName(): string; getValue(): string | null }>).map((f) => [f.getName(), f.getValue()])
        : [],
    ),
  };
  const json = execForm(args);
  if (json) step.json = json;
  if (instruction instanceof PropertyInstruction) {
    step.properties = instruction.getProperties().map((p) => ({ name: p.getName(), value: p.getUnescapedValue() }));
  }
  if (instruction instanceof From) {
    const image = instruction.getImage();
    if (!image) throw new DockerfileError(`dockerfile parse error on line ${line}: FROM requires the name of an image`);
    const stage = instruction.getBuildStage();
    step.from = { image, ...(stage ? { stage } : {}) };
    const words = args.trim().split(/\s+/);
    if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) {
      throw new DockerfileError(`dockerfile parse error on line ${line}: FROM requires either one or three arguments`);
    }
  }
  if (instruction instanceof Onbuild) {
    const trigger = instruction.getTrigger()?.toUpperCase();
    if (!trigger) throw new DockerfileError(`dockerfile parse error on line ${line}: ONBUILD requires at least one argument`);
    if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(trigger)) throw new DockerfileError(`${trigger} isn't allowed as an ONBUILD trigger`);
    step.trigger = args.trim();
  }
  return step;
}

/** Parses a Dockerfile with dockerfile-ast and groups its instructions into build stages. */
export function parseDockerfile(text: string, name = 'Dockerfile'): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const escape = dockerfile.getEscapeCharacter();
  const steps = dockerfile.getInstructions().map((i) => toStep(i, escape));
  if (steps.length === 0) throw new DockerfileError(`the Dockerfile (${name}) cannot be empty`);
  const parsed: ParsedDockerfile = { escape, metaArgs: [], stages: [] };
  for (const step of steps) {
    const current = parsed.stages.at(-1);
    if (step.keyword === 'FROM') {
      const stageName = step.from!.stage?.toLowerCase();
      if (stageName && parsed.stages.some((s) => s.name === stageName)) {
        throw new DockerfileError(`dockerfile parse error on line ${step.line}: duplicate name ${stageName}`);
      }
      parsed.stages.push({ from: step, steps: [], ...(stageName ? { name: stageName } : {}) });
    } else if (current) {
      current.steps.push(step);
    } else if (step.keyword === 'ARG') {
      parsed.metaArgs.push(step);
    } else {
      throw new DockerfileError(`dockerfile parse error on line ${step.line}: ${step.keyword} before the first FROM: only ARG may precede it`);
    }
  }
  if (parsed.stages.length === 0) throw new DockerfileError('no build stage in current context: the Dockerfile needs a FROM');
  return parsed;
}
