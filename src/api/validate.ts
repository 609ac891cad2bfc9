import { invalidParameter } from '../errdefs';

/**
 * Docker's rule for labels (the CLI's `opts.ValidateLabel`, enforced here for every client): a
 * key is not empty and has no whitespace. Applies to container, network and volume labels.
 */
export function checkLabels(labels: Record<string, unknown> | null | undefined): void {
  for (const key of Object.keys(labels ?? {})) {
    if (key.trim() === '') throw invalidParameter(`invalid label '${key}': empty name`);
    if (/\s/.test(key)) throw invalidParameter(`label '${key}' contains whitespaces`);
  }
}
