export { Store, STORE_FILE, type StoreOptions } from './store';
export { StoreError, type StoreFailure } from './errors';
export { SCHEMA_VERSION } from './migrations';
export type { ContainerRow } from './container-repo';
export type { ObjectKind } from './object-repo';
export type { Durability } from './db';
