import { FIGURES, FIGURE_NAMES } from './figures';
import type { FigureName, FigureOverride, Figures } from './figures';
import type { Spread } from './random';

export type ProfileName = 'instant' | 'azure';
export const PROFILE_NAMES: readonly ProfileName[] = ['instant', 'azure'];

function spreadOf(name: string, override: FigureOverride): Spread {
  const spread = typeof override === 'number' ? { min: override, median: override, max: override } : override;
  const { min, median, max } = spread;
  if (![min, median, max].every((v) => Number.isFinite(v) && v >= 0) || !(min <= median && median <= max)) {
    throw new Error(`simulator figure ${name} must be a non-negative number or min <= median <= max, got ${JSON.stringify(override)}`);
  }
  return { min, median, max };
}

/** The azure profile's figures with `overrides` applied, durations multiplied by `timeScale`. */
export function resolveFigures(timeScale: number, overrides: Partial<Record<string, FigureOverride>> = {}): Figures {
  for (const name of Object.keys(overrides)) {
    if (!(name in FIGURES)) throw new Error(`unknown simulator figure '${name}'; known: ${FIGURE_NAMES.join(', ')}`);
  }
  const figures = {} as Figures;
  for (const name of FIGURE_NAMES) {
    const definition = FIGURES[name];
    const override = overrides[name];
    const base = override === undefined ? definition.value : spreadOf(name, override);
    const factor = definition.scaled ? timeScale : 1;
    figures[name] = { min: base.min * factor, median: base.median * factor, max: base.max * factor };
  }
  return figures;
}

/** `name=value` or `name=min:median:max`, comma-separated (the CLI's --figure, SOCKERLESS_SIM_FIGURES). */
export function parseFigureOverrides(text: string, what: string): Partial<Record<FigureName, FigureOverride>> {
  const overrides: Partial<Record<FigureName, FigureOverride>> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z]+)=([\d.]+)(?::([\d.]+):([\d.]+))?$/.exec(item);
    if (!match) throw new Error(`${what}: '${item}' is not name=value or name=min:median:max`);
    const [, name, a, b, c] = match;
    if (!(name! in FIGURES)) throw new Error(`${what}: unknown figure '${name}'; known: ${FIGURE_NAMES.join(', ')}`);
    overrides[name as FigureName] = b === undefined ? Number(a) : { min: Number(a), median: Number(b), max: Number(c) };
  }
  return overrides;
}

export function profileName(value: string | undefined, what: string): ProfileName | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'instant' && value !== 'azure') throw new Error(`${what} must be instant or azure, got '${value}'`);
  return value;
}

export function timeScaleValue(value: string | number | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a number above 0, got '${value}'`);
  return n;
}
