/** Docker's list filters once parsed (the API reads them from the `filters` query): name → values. */
export type Filters = Map<string, string[]>;

/** Docker's label filter: `key` (present) or `key=value`. */
export function matchLabels(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  if (!wanted) return true;
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return labels != null && Object.hasOwn(labels, w);
    return labels != null && labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}
