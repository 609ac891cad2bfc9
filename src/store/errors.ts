/** Why the store cannot be used; the daemon reports it and does not start. */
export type StoreFailure = 'damaged' | 'newer-schema' | 'in-use' | 'unreadable';

export class StoreError extends Error {
  constructor(
    readonly failure: StoreFailure,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
