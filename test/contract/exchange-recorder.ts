// Records what the SDK clients exchanged with ARM and Log Analytics, sanitized so that a record
// can be shared: paths with every name replaced by its kind, the headers that matter, the shapes
// of the bodies (their paths and JSON types, never their values, except a few enumerations such
// as a status), and timings. Tokens, ids, names, env values and log lines never reach a record.
import { writeFileSync } from 'node:fs';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface Exchange {
  /** `METHOD /sanitized/path` */
  operation: string;
  /** The request's `api-version`, if any. */
  apiVersion?: string;
  status: number;
  /** Headers that matter, lowercase; URLs in them sanitized as paths, others as sent. */
  headers: Record<string, string>;
  /** `path:type` of every value in the request body. */
  requestShape: string[];
  /** `path:type` of every value in the response body. */
  responseShape: string[];
  /** Values of enumerations in the response (`properties.provisioningState`, `status`, error codes, column names). */
  values: Record<string, string[]>;
  /** Milliseconds from the record's start to the request, and the request's duration. */
  at: number;
  ms: number;
}

export interface ExchangeRecord {
  /** Who answered: `azure`, or the simulator (`simulator-instant`, `simulator-azure`). */
  madeBy: string;
  madeAt: string;
  exchanges: Exchange[];
}

const KEPT_HEADERS = [
  'content-type', 'retry-after', 'location', 'azure-asyncoperation', 'x-ms-ratelimit-remaining-subscription-reads',
  'x-ms-ratelimit-remaining-subscription-writes', 'x-ms-ratelimit-remaining-subscription-global-reads',
  'x-ms-ratelimit-remaining-subscription-global-writes', 'x-ms-ratelimit-remaining-resource',
];
const URL_HEADERS = new Set(['location', 'azure-asyncoperation']);

/** Path segments that name something: the segment after one of these is replaced by `{these}`. */
const NAMED_BY = new Set([
  'subscriptions', 'resourcegroups', 'jobs', 'executions', 'managedenvironments', 'workspaces', 'locations',
  'containerappsoperationstatuses', 'containerappoperationstatuses', 'containerappsoperationresults',
  'containerappoperationresults', 'operationstatuses', 'operationresults', 'operations', 'tenants',
]);

/** `/subscriptions/{subscriptions}/resourceGroups/{resourceGroups}/...`: names gone, structure kept. */
export function sanitizePath(pathname: string): string {
  const segments = pathname.split('/');
  return segments
    .map((s, i) => {
      const before = segments[i - 1]?.toLowerCase();
      if (before && NAMED_BY.has(before)) return `{${segments[i - 1]}}`;
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) || /sockerless-/.test(s)) return '{name}';
      return s;
    })
    .join('/');
}

function sanitizeUrl(value: string): string {
  try {
    const url = new URL(value);
    const version = url.searchParams.get('api-version');
    return `${sanitizePath(url.pathname)}${version ? `?api-version=${version}` : ''}`;
  } catch {
    return '(not a URL)';
  }
}

const ENUM_PATH = /(^|\.)(status|provisioningState|runningState|code|type|triggerType)$|^tables\[\]\.columns\[\]\.name$/;

/** `path:type` for every value in `json`; enumerations' values gathered into `values`. */
export function shapeOf(json: unknown, values?: Map<string, Set<string>>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) out.add(`${path}[]:empty`);
      for (const item of v) walk(item, `${path}[]`);
    } else if (v !== null && typeof v === 'object') {
      if (Object.keys(v).length === 0) out.add(`${path || '(root)'}:{}`);
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    } else {
      out.add(`${path || '(root)'}:${v === null ? 'null' : typeof v}`);
      if (values && typeof v === 'string' && ENUM_PATH.test(path)) {
        if (!values.has(path)) values.set(path, new Set());
        values.get(path)!.add(v);
      }
    }
  };
  walk(json, '');
  return [...out].sort();
}

function parse(text: string | undefined | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return '(not JSON)';
  }
}

export class ExchangeRecorder {
  readonly #exchanges: Exchange[] = [];
  readonly #start = Date.now();
  readonly #madeBy: string;

  constructor(madeBy: string) {
    this.#madeBy = madeBy;
  }

  readonly policy: PipelinePolicy = {
    name: 'contractExchangeRecorder',
    sendRequest: async (request, next) => {
      const started = Date.now();
      const url = new URL(request.url);
      const response = await next(request);
      const values = new Map<string, Set<string>>();
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = response.headers.get(name);
        if (value !== undefined) headers[name] = URL_HEADERS.has(name) ? sanitizeUrl(value) : value;
      }
      const body = typeof request.body === 'string' ? request.body : undefined;
      this.#exchanges.push({
        operation: `${request.method} ${sanitizePath(url.pathname)}`,
        ...(url.searchParams.get('api-version') && { apiVersion: url.searchParams.get('api-version')! }),
        status: response.status,
        headers,
        requestShape: shapeOf(parse(body)).filter((p) => p !== '(root):undefined'),
        responseShape: shapeOf(parse(response.bodyAsText), values).filter((p) => p !== '(root):undefined'),
        values: Object.fromEntries([...values].map(([k, v]) => [k, [...v].sort()])),
        at: started - this.#start,
        ms: Date.now() - started,
      });
      return response;
    },
  };

  record(): ExchangeRecord {
    return { madeBy: this.#madeBy, madeAt: new Date(this.#start).toISOString(), exchanges: [...this.#exchanges] };
  }

  write(file: string): void {
    writeFileSync(file, `${JSON.stringify(this.record(), null, 1)}\n`);
  }
}
