// Docker's port publishing requests (`-p [ip:][hostPort:]containerPort[/proto]`, `-P`, the API's
// HostConfig.PortBindings and PublishAllPorts) turned into the listeners the daemon opens.

export interface PortBindingRequest {
  HostIp?: string;
  HostPort?: string;
}

export interface PortRequestFields {
  ExposedPorts: Record<string, unknown> | null;
  PortBindings?: Record<string, PortBindingRequest[] | null> | null;
  PublishAllPorts?: boolean;
}

/** One listener to open: `hostPort` 0 means a free port the system picks. */
export interface Binding {
  /** Docker's key, e.g. `80/tcp`. */
  key: string;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

/** `80`, `80/tcp`, `53/udp` → port and protocol; undefined when it is not a port spec. */
export function parsePortKey(key: string): { port: number; proto: string } | undefined {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, proto: m[2] ?? 'tcp' };
}

const normalKey = (key: string) => {
  const p = parsePortKey(key);
  return p ? `${p.port}/${p.proto}` : key;
};

/** A host port field: empty (any free port), a number, or a range (its first port that is free; here its first). */
function hostPortOf(text: string | undefined): number | undefined {
  if (!text) return 0;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[1]);
  return port <= 65535 ? port : undefined;
}

export interface PlannedBindings {
  bindings: Binding[];
  /** Requests that cannot be carried (not TCP), one warning each. */
  warnings: string[];
  /** A request that is not valid at all: Docker answers 400. */
  error?: string;
}

/** Every listener the container's start opens, with `defaultIp` where the request names none (dockerd: 0.0.0.0). */
export function planBindings(fields: PortRequestFields, defaultIp: string): PlannedBindings {
  const bindings: Binding[] = [];
  const warnings: string[] = [];
  const requested = new Map<string, PortBindingRequest[]>();
  for (const [key, list] of Object.entries(fields.PortBindings ?? {})) requested.set(normalKey(key), list ?? []);
  if (fields.PublishAllPorts) {
    for (const key of Object.keys(fields.ExposedPorts ?? {})) if (!requested.get(normalKey(key))?.length) requested.set(normalKey(key), [{}]);
  }
  for (const [key, list] of requested) {
    const spec = parsePortKey(key);
    if (!spec) return { bindings: [], warnings, error: `invalid port specification: "${key}"` };
    if (spec.proto !== 'tcp') {
      if (list.length) warnings.push(`port ${key} is not published: only TCP is carried to Azure Container Apps jobs (through the agent)`);
      continue;
    }
    for (const b of list.length ? list : []) {
      const hostPort = hostPortOf(b.HostPort);
      if (hostPort === undefined) return { bindings: [], warnings, error: `invalid hostPort: ${b.HostPort}` };
      bindings.push({ key, containerPort: spec.port, hostIp: b.HostIp || defaultIp, hostPort });
    }
  }
  return { bindings, warnings };
}
