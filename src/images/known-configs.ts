import type { ImageReference } from './reference';
import type { ImageConfig } from './types';

/** The PATH every Debian/Alpine-based official image starts from. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type KnownConfig = Partial<ImageConfig> | ((tag: string) => Partial<ImageConfig>);

const port = (p: string): Record<string, Record<string, never>> => ({ [p]: {} });

/**
 * Defaults of Docker Hub official images, limited to what their Dockerfiles have set for years.
 * Version-specific settings (NODE_VERSION, PGDATA of postgres 18, …) are left out on purpose.
 */
const KNOWN: Record<string, KnownConfig> = {
  alpine: { Cmd: ['/bin/sh'] },
  busybox: { Cmd: ['sh'] },
  ubuntu: { Cmd: ['/bin/bash'] },
  debian: { Cmd: ['bash'] },
  node: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['node'] },
  python: { Cmd: ['python3'], Env: [DEFAULT_PATH, 'LANG=C.UTF-8'] },
  nginx: {
    Entrypoint: ['/docker-entrypoint.sh'],
    Cmd: ['nginx', '-g', 'daemon off;'],
    ExposedPorts: port('80/tcp'),
    Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
    StopSignal: 'SIGQUIT',
  },
  redis: {
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['redis-server'],
    ExposedPorts: port('6379/tcp'),
    Volumes: { '/data': {} },
    WorkingDir: '/data',
  },
  postgres: {
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['postgres'],
    ExposedPorts: port('5432/tcp'),
    StopSignal: 'SIGINT',
  },
  // golang sets no CMD of its own: it inherits bash (Debian) or /bin/sh (Alpine variants).
  golang: (tag) => ({
    Cmd: tag.includes('alpine') ? ['/bin/sh'] : ['bash'],
    Env: ['PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GOTOOLCHAIN=local', 'GOPATH=/go'],
    WorkingDir: '/go',
  }),
};

/** The config an image of unknown defaults gets: a PATH and nothing else. */
export function unknownImageConfig(): ImageConfig {
  return {
    User: '',
    Env: [DEFAULT_PATH],
    Cmd: null,
    Entrypoint: null,
    WorkingDir: '',
    Labels: null,
    ExposedPorts: null,
    Volumes: null,
  };
}

/** The built-in config of a Docker Hub official image, or undefined when we know none. */
export function knownImageConfig(ref: ImageReference): ImageConfig | undefined {
  if (ref.domain !== 'docker.io' || !ref.path.startsWith('library/')) return undefined;
  const name = ref.path.slice('library/'.length);
  if (!Object.hasOwn(KNOWN, name)) return undefined; // not `constructor` & co. from the prototype
  const known = KNOWN[name]!;
  const overrides = typeof known === 'function' ? known(ref.tag ?? '') : known;
  return { ...unknownImageConfig(), ...overrides };
}
