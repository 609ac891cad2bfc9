import type { Duplex } from 'node:stream';
import type { HttpBindings } from '@hono/node-server';

/** A request that arrived with `Connection: Upgrade`: the route may take the raw socket over. */
export interface Hijack {
  socket: Duplex;
  /** Bytes Node read past the request head (the start of an unparsed body). */
  head: Buffer;
  taken: boolean;
}

/** The Hono environment every router shares. */
export interface AppEnv {
  Bindings: HttpBindings & { hijack?: Hijack };
}
