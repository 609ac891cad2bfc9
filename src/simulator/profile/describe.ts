import { FIGURES, FIGURE_NAMES } from './figures';
import type { Figures } from './figures';

const seconds = (ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(2)} s` : `${+ms.toFixed(1)} ms`);

/** One line per figure as in force (after time scale and overrides): what `npm run simulator -- --profile azure` prints. */
export function describeFigures(figures: Figures): string[] {
  const width = Math.max(...FIGURE_NAMES.map((n) => n.length));
  return FIGURE_NAMES.map((name) => {
    const { unit, behaviour } = FIGURES[name];
    const { min, median, max } = figures[name];
    const shown = unit === 'count' ? String(median) : min === max ? seconds(median) : `${seconds(median)} (${seconds(min)} to ${seconds(max)})`;
    return `${name.padEnd(width)}  ${shown.padEnd(28)} ${behaviour}`;
  });
}

/** The README's profile table (behaviour, figure at full scale, source). */
export function figuresMarkdownTable(): string {
  const rows = FIGURE_NAMES.map((name) => {
    const f = FIGURES[name];
    const { min, median, max } = f.value;
    const figure = f.unit === 'count' ? String(median) : min === max ? seconds(median) : `${seconds(median)} (${seconds(min)}–${seconds(max)})`;
    return `| \`${name}\` | ${f.behaviour} | ${figure} | ${f.source} | ${f.confidence} |`;
  });
  return ['| figure | behaviour | value at full scale: median (range) | source | confidence |', '|---|---|---|---|---|', ...rows].join('\n');
}
