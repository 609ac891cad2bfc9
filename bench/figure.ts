// One row of the bench's table, and how rows are printed.

export interface Comparison {
  /** What was measured beside the figure, in the same run. */
  label: string;
  value: number | null;
  unit: string;
}

export interface Target {
  /** e.g. "<= 2.0" */
  text: string;
  /** null when the figure is unavailable. */
  met: boolean | null;
}

export interface Figure {
  name: string;
  /** null: not measurable in this run (the note says why). */
  value: number | null;
  unit: string;
  /** How many runs the median (or rate) was taken over. */
  samples: number;
  comparison?: Comparison;
  target?: Target;
  note?: string;
  detail?: Record<string, unknown>;
}

export function atMost(value: number | null, limit: number): Target {
  return { text: `<= ${limit}`, met: value === null ? null : value <= limit };
}

export function atLeast(value: number | null, limit: number): Target {
  return { text: `>= ${limit}`, met: value === null ? null : value >= limit };
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function show(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  const text = Math.abs(value) >= 100 ? String(Math.round(value)) : String(round(value, 2));
  return unit && unit !== 'x' ? `${text} ${unit}` : unit === 'x' ? `${text}x` : text;
}

/** A plain-text table (also valid Markdown). */
export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    show(f.value, f.unit),
    f.comparison ? `${f.comparison.label}: ${show(f.comparison.value, f.comparison.unit)}` : '',
    f.target?.text ?? '',
    f.target ? (f.target.met === null ? 'n/a' : f.target.met ? 'yes' : 'NO') : '',
    String(f.samples),
    f.note ?? '',
  ]);
  const head = ['figure', 'measured', 'comparison (same run)', 'target', 'met', 'n', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The note column is left unpadded so long notes don't widen every row.
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 6 : w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
