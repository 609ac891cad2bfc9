// fast-check generators for Docker API requests that are malformed or wrong in every way a client
// can get them wrong: ids, paths, queries, bodies, headers, versions, methods.
import fc from 'fast-check';
import type { Route, Sent } from './harness';

/** Percent-encodes every byte but the unreserved ones (safe for lone surrogates too). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Strings that have broken parsers before: empty, numeric edge cases, prototype keys, encodings. */
export const weird = fc.constantFrom(
  '', ' ', '.', '..', '/', '//', '\\', '%', '%zz', '%00', '%2F', '\u0000', '\u0007', '\t', '\n', '\r\n', 'null', 'undefined',
  'true', 'false', 'True', 'FALSE', 'yes', '1', '0', '-1', '-0', '1.5', '1e3', '1e309', '-1e309', 'NaN', 'Infinity', '0x10',
  '9'.repeat(40), '-9'.repeat(20), '2147483648', '9007199254740993', '[]', '{}', '[1', '{"a":', '"', "'", '${x}', '<script>',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'sha256:', 'sha256:zz', `sha256:${'0'.repeat(64)}`,
  'a'.repeat(300), '😀', 'ä', '\u202e', '\ud800', 'SIGKILL', 'SIGFOO', '-9', 'next-exit', 'removed', 'all', 'latest', ':', '@', 'a:b:c',
  'linux/arm64', 'windows', '2020-13-45T99:99:99Z', '1700000000.5', '-1700000000', '1700000000.', '.5',
);

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

export const anyValue = fc.oneof({ weight: 3, arbitrary: weird }, { weight: 3, arbitrary: text }, fc.integer().map(String), fc.double().map(String), fc.json({ maxDepth: 3 }));

/** An id, name or reference where a route has `:id`/`:name`. */
export const anyId = fc.oneof(
  { weight: 3, arbitrary: weird },
  { weight: 3, arbitrary: text },
  fc.stringMatching(/^[0-9a-f]{1,64}$/),
  fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,30}$/),
  fc.integer({ min: 1000, max: 9000 }).map((n) => 'x'.repeat(n)),
);

/** A path segment: usually percent-encoded, sometimes raw printable bytes (which may cut the path). */
export const segment = (id: fc.Arbitrary<string> = anyId) =>
  fc.tuple(id, fc.boolean()).map(([s, raw]) => (raw && /^[\x21-\x7e]*$/.test(s) && !/[?#]/.test(s) ? s : pct(s)));

/** Query parameter names Docker routes read (so bad values reach real parsers), and random ones. */
export const PARAMS = [
  'all', 'limit', 'size', 'filters', 't', 'timeout', 'signal', 'name', 'condition', 'force', 'v', 'link', 'stdout', 'stderr',
  'stdin', 'stream', 'logs', 'follow', 'timestamps', 'tail', 'since', 'until', 'fromImage', 'fromSrc', 'repo', 'tag', 'platform',
  'noprune', 'digests', 'shared-size', 'manifests', 'h', 'w', 'ps_args', 'path', 'noOverwriteDirNonDir', 'copyUIDGID', 'detachKeys',
  'changes', 'message', 'pause', 'author', 'dangling', 'verbose', 'scope', 'dockerfile', 'q', 'nocache', 'rm', 'forcerm', 'version',
  'one-shot', 'id', 'label', 'driver', 'type', 'event',
] as const;

export const query = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAMS) }, text, weird), anyValue), { maxLength: 5 }),
    fc.constantFrom('', '', '', '&', '&&=&', '=', '%zz=%zz', '&a=%', '&filters=%7B'),
  )
  .map(([pairs, tail]) => {
    const q = pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&') + tail;
    return q ? `?${q}` : '';
  });

/** JSON-ish objects with keys Docker bodies have, so malformed values reach the real schemas. */
const BODY_KEYS = [
  'Image', 'Cmd', 'Entrypoint', 'Env', 'Labels', 'HostConfig', 'Name', 'Driver', 'Container', 'EndpointConfig', 'Tty', 'AttachStdin',
  'AttachStdout', 'Detach', 'Options', 'IPAM', 'DriverOpts', 'WorkingDir', 'User', 'ExposedPorts', 'StopSignal', 'StopTimeout',
  'NetworkingConfig', 'Force', 'Hostname', 'Volumes', 'Privileged', 'ConsoleSize', '__proto__', 'constructor', '',
] as const;

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.oneof(fc.constantFrom(...BODY_KEYS), text), fc.oneof(fc.jsonValue({ maxDepth: 3 }), weird), { maxKeys: 6 }),
  fc.record({ Image: anyValue, Cmd: fc.jsonValue({ maxDepth: 2 }), Labels: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
  fc.record({ HostConfig: fc.dictionary(text, fc.jsonValue({ maxDepth: 3 })), Env: fc.array(anyValue, { maxLength: 4 }) }, { requiredKeys: [] }),
);

export const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 2, arbitrary: fc.tuple(jsonish, fc.nat()).map(([v, n]) => { const s = JSON.stringify(v) ?? ''; return Buffer.from(s.slice(0, s.length ? n % s.length : 0)); }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: text.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => Buffer.from(open.repeat(n) + (open === '[' ? ']' : '}').repeat(n))) },
);

const headerName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}$/);
/** Characters Node's client refuses in a header value (raw bytes on the wire are the wire suite's). */
const unsendable = /[^\t\x20-\x7e\x80-\xff]/;
const headerValue = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 60 }) },
  { weight: 6, arbitrary: weird },
  { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 90_000 }).map((n) => 'h'.repeat(n)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')) },
).map((v) => v.replace(new RegExp(unsendable.source, 'g'), '?'));

export const headers = fc
  .record(
    {
      extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
      contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-tar', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'), headerValue)),
      auth: fc.option(headerValue),
      upgrade: fc.boolean(),
      host: fc.option(fc.oneof(headerValue, fc.constantFrom('a b', '[::1', 'x:99999', '', 'localhost:0'))),
    },
    { requiredKeys: ['extra', 'upgrade'] },
  )
  .map((h) => {
    const out: Record<string, string> = {};
    for (const [k, v] of h.extra) out[k] = v;
    if (h.contentType != null) out['Content-Type'] = h.contentType;
    if (h.auth != null) out['X-Registry-Auth'] = h.auth;
    if (h.host != null) out.Host = h.host;
    if (h.upgrade) Object.assign(out, { Connection: 'Upgrade', Upgrade: 'tcp' });
    return out;
  });

export const versionPrefix = fc.constantFrom('', '', '', '/v1.47', '/v1.24', '/v1.50', '/v1.51', '/v99.0', '/v1.4x', '/v0.1', '/v1.', '/V1.47');

/** Fills a route's `:param`s and `*` with generated values (images get a known suffix at times). */
export function pathFor(route: Route, id: fc.Arbitrary<string> = anyId): fc.Arbitrary<string> {
  const parts = route.path.split('/').slice(1);
  return fc
    .tuple(
      ...parts.map((p) =>
        p.startsWith(':')
          ? segment(id)
          : p === '*'
            ? fc.tuple(fc.array(segment(id), { minLength: 1, maxLength: 3 }), fc.constantFrom('', '', '/json', '/history', '/tag', '/push', '/get')).map(([s, suffix]) => s.join('/') + suffix)
            : fc.constant(p),
      ),
    )
    .map((segs) => `/${segs.join('/')}`);
}

export function requestFor(route: Route, id?: fc.Arbitrary<string>): fc.Arbitrary<Sent> {
  return fc
    .record({
      prefix: versionPrefix,
      path: pathFor(route, id),
      query,
      headers,
      body,
      chunked: fc.boolean(),
      method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...route.methods) }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')),
    })
    .map((r) => ({ method: r.method, path: r.prefix + r.path + r.query, headers: r.headers, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body, chunked: r.chunked }));
}
