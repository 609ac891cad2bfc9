const BATCH = 500;

/**
 * `items` rendered as one JSON array, in bytes. Rendered and encoded a batch at a time: a list of
 * 10,000 containers is about 8 MB of JSON, and as one string it is slow to flatten and encode,
 * and every rendered item lives until the end.
 */
export function jsonArrayBytes<T>(items: readonly T[], render: (item: T) => unknown): Buffer<ArrayBuffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    const json = JSON.stringify(items.slice(i, i + BATCH).map(render));
    const body = json.slice(1, -1);
    // ASCII-only JSON (the usual case) is the same bytes in latin1, which encodes far faster than UTF-8.
    parts.push(Buffer.from(i === 0 ? '[' : ','), Buffer.byteLength(body) === body.length ? Buffer.from(body, 'latin1') : Buffer.from(body));
  }
  parts.push(Buffer.from(parts.length ? ']' : '[]'));
  return Buffer.concat(parts) as Buffer<ArrayBuffer>;
}
