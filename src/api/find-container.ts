import { invalidParameter, notFound } from '../errdefs';

/** Anything that looks containers up as Docker does (full id, name, unique id prefix). */
export interface ContainerLookup<T> {
  find(ref: string): T | 'ambiguous' | undefined;
}

/** The container `ref` names, or Docker's 400 for an ambiguous prefix and 404 for none. */
export function findContainer<T>(lookup: ContainerLookup<T>, ref: string): T {
  const found = lookup.find(ref);
  if (found === 'ambiguous') throw invalidParameter(`multiple containers found with provided prefix: ${ref}`);
  if (!found) throw notFound(`No such container: ${ref}`);
  return found;
}
