// Config-changing instructions: each takes the stage state and one step and updates the config.
import { posix } from 'node:path';
import type { ImageConfig } from '../images/types';
import type { Step } from './dockerfile';
import { processWord, processWords, type Vars } from './shell-words';

/** A refused step; the builder turns it into the stream's error line. */
export class StepError extends Error {}

export interface StageState {
  config: ImageConfig;
  author: string;
  /** SHELL: what shell-form CMD, ENTRYPOINT and RUN run with. */
  shell: string[];
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string>;
  /** Whether this stage set CMD (an ENTRYPOINT then keeps it; otherwise ENTRYPOINT clears the base's). */
  cmdSet: boolean;
}

/** What `$VAR` sees: the stage's ARGs, overridden by its environment (Docker's precedence). */
export function varsOf(state: StageState): Map<string, string> {
  const vars = new Map(state.args);
  for (const kv of state.config.Env) {
    const eq = kv.indexOf('=');
    if (eq > 0) vars.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return vars;
}

const command = (step: Step, state: StageState): string[] => step.json ?? [...state.shell, step.args];

function setEnv(config: ImageConfig, name: string, value: string): void {
  const i = config.Env.findIndex((kv) => kv.split('=', 1)[0] === name);
  if (i >= 0) config.Env[i] = `${name}=${value}`;
  else config.Env.push(`${name}=${value}`);
}

const GO_DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
const NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (`30s`, `1m30s`) in nanoseconds. */
function duration(flag: string, value: string): number {
  let rest = value;
  let ns = 0;
  if (rest === '0') return 0;
  while (rest) {
    const m = GO_DURATION.exec(rest);
    if (!m) throw new StepError(`invalid duration for --${flag}: ${value}`);
    ns += Number(m[1]) * NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(ns);
}

function exposedPorts(specs: string[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
    const first = Number(m?.[1]);
    const last = m?.[2] ? Number(m[2]) : first;
    if (!m || first < 1 || last > 65535 || last < first || last - first > 1000) throw new StepError(`Invalid containerPort: ${spec}`);
    for (let p = first; p <= last; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

/** Applies one config instruction (everything but FROM, ARG and the not-executed RUN/COPY/ADD). */
export function applyInstruction(state: StageState, step: Step, escape: string): void {
  const c = state.config;
  const vars: Vars = varsOf(state);
  const word = (s: string) => processWord(s, vars, escape);
  switch (step.keyword) {
    case 'ENV':
    case 'LABEL': {
      if (!step.properties?.length) throw new StepError(`${step.keyword} requires at least one argument`);
      for (const p of step.properties) {
        if (p.value === null) throw new StepError(`${step.keyword} names can not be blank: ${step.keyword} ${p.name} needs a value`);
        const value = word(p.value);
        // ENV values in one instruction do not see each other (Docker expands against the state before it).
        if (step.keyword === 'ENV') setEnv(c, p.name, value);
        else c.Labels = { ...c.Labels, [p.name]: value };
      }
      return;
    }
    case 'WORKDIR': {
      const dir = word(step.args);
      if (!dir) throw new StepError('WORKDIR requires exactly one argument');
      c.WorkingDir = posix.resolve('/', c.WorkingDir || '/', dir);
      return;
    }
    case 'USER':
      c.User = word(step.args);
      if (!c.User) throw new StepError('USER requires exactly one argument');
      return;
    case 'STOPSIGNAL': {
      const signal = word(step.args);
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(signal)) throw new StepError(`Invalid signal: ${signal}`);
      c.StopSignal = signal;
      return;
    }
    case 'EXPOSE':
      c.ExposedPorts = { ...c.ExposedPorts, ...Object.fromEntries(exposedPorts(processWords(step.args, vars, escape)).map((p) => [p, {}])) };
      return;
    case 'VOLUME': {
      const paths = (step.json ?? processWords(step.args, vars, escape)).map((p) => (step.json ? word(p) : p));
      if (!paths.length || paths.some((p) => p.trim() === '')) throw new StepError('VOLUME specified can not be an empty string');
      c.Volumes = { ...c.Volumes, ...Object.fromEntries(paths.map((p) => [p, {}])) };
      return;
    }
    case 'CMD':
      c.Cmd = command(step, state);
      state.cmdSet = true;
      return;
    case 'ENTRYPOINT':
      c.Entrypoint = command(step, state);
      if (!state.cmdSet) c.Cmd = null;
      return;
    case 'SHELL':
      if (!step.json?.length) throw new StepError('SHELL requires the arguments to be in JSON form');
      state.shell = step.json;
      c.Shell = step.json;
      return;
    case 'MAINTAINER':
      state.author = step.args;
      return;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), step.trigger!];
      return;
    case 'HEALTHCHECK': {
      const [kind = '', ...rest] = step.args.split(/\s+/);
      if (kind.toUpperCase() === 'NONE') {
        if (rest.length) throw new StepError('HEALTHCHECK NONE takes no arguments');
        c.Healthcheck = { Test: ['NONE'] };
        return;
      }
      if (kind.toUpperCase() !== 'CMD') throw new StepError(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
      const cmdText = step.args.slice(kind.length).trim();
      const json = cmdText.startsWith('[') ? (() => { try { return JSON.parse(cmdText) as unknown; } catch { return undefined; } })() : undefined;
      const test = Array.isArray(json) && json.every((x) => typeof x === 'string') ? ['CMD', ...json] : ['CMD-SHELL', cmdText];
      const hc: NonNullable<ImageConfig['Healthcheck']> = { Test: test };
      for (const [flag, value] of Object.entries(step.flags)) {
        if (value === null) throw new StepError(`HEALTHCHECK --${flag} needs a value`);
        if (flag === 'interval') hc.Interval = duration(flag, value);
        else if (flag === 'timeout') hc.Timeout = duration(flag, value);
        else if (flag === 'start-period') hc.StartPeriod = duration(flag, value);
        else if (flag === 'start-interval') hc.StartInterval = duration(flag, value);
        else if (flag === 'retries' && /^\d+$/.test(value)) hc.Retries = Number(value);
        else throw new StepError(`Unknown flag: ${flag}`);
      }
      c.Healthcheck = hc;
      return;
    }
    default:
      throw new StepError(`${step.keyword} cannot be applied to an image config`);
  }
}
