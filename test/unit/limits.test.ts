// The body limits middleware on its own: JSON routes are bounded in size and nesting; streamed
// uploads (build context, archive PUT, image load) pass through unread, bounded only by their
// declared length.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/env';
import { renderError } from '../../src/api/errors';
import { DockerError } from '../../src/errdefs';
import { BODY_LIMIT, bodyLimits, jsonDepth, MAX_JSON_DEPTH, UPLOAD_LIMIT } from '../../src/api/limits';

function app() {
  const a = new Hono<AppEnv>();
  a.use(bodyLimits());
  a.post('/containers/create', async (c) => c.json({ got: (await c.req.arrayBuffer()).byteLength }));
  a.post('/build', async (c) => c.json({ got: (await c.req.arrayBuffer()).byteLength }));
  a.put('/containers/:id/archive', async (c) => c.json({ got: (await c.req.arrayBuffer()).byteLength }));
  a.onError((err, c) => renderError(err, c));
  return a;
}

const stream = (bytes: number, chunk = 64 * 1024) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += chunk) controller.enqueue(new Uint8Array(Math.min(chunk, bytes - sent)).fill(0x20));
      controller.close();
    },
  });

const send = (path: string, body: BodyInit, headers: Record<string, string> = {}, method = 'POST') =>
  app().request(path, { method, body, headers, duplex: 'half' } as RequestInit, {});

describe('body limits', () => {
  it('a JSON route answers 413 with a message over the limit, declared or streamed, and passes what fits', async () => {
    const declared = await send('/containers/create', 'x', { 'content-length': String(BODY_LIMIT + 1) });
    expect(declared.status).toBe(413);
    expect((await declared.json()).message).toMatch(/request body too large/);
    const streamed = await send('/containers/create', stream(BODY_LIMIT + 1));
    expect(streamed.status).toBe(413);
    const fits = await send('/containers/create', stream(BODY_LIMIT));
    expect(await fits.json()).toEqual({ got: BODY_LIMIT });
  });

  it('streamed uploads are exempt by route: POST /build and PUT .../archive read more than the JSON limit', async () => {
    expect(await (await send('/build', stream(BODY_LIMIT + 4096))).json()).toEqual({ got: BODY_LIMIT + 4096 });
    expect(await (await send('/containers/abc/archive', stream(BODY_LIMIT + 4096), {}, 'PUT')).json()).toEqual({ got: BODY_LIMIT + 4096 });
    expect((await send('/build', 'x', { 'content-length': String(UPLOAD_LIMIT + 1) })).status).toBe(413);
  });

  it('nesting deeper than the limit is a 400 (it would later overflow JSON.stringify in inspect)', async () => {
    const deep = `{"HostConfig":${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}}`;
    const res = await send('/containers/create', deep);
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/nests deeper than 100/);
  });

  it('jsonDepth ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth(Buffer.from('{"a":"[[[[\\"[[[","b":[1,{"c":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('not json at all'))).toBe(0);
    expect(jsonDepth(Buffer.from('['.repeat(500)))).toBe(MAX_JSON_DEPTH + 1);
  });

  it('errors are DockerErrors (the app renders them as {"message"})', async () => {
    const a = new Hono<AppEnv>();
    a.use(bodyLimits());
    a.post('/x', (c) => c.text('never'));
    let caught: unknown;
    a.onError((err, c) => ((caught = err), renderError(err, c)));
    await a.request('/x', { method: 'POST', body: 'x', headers: { 'content-length': String(BODY_LIMIT + 1) } }, {});
    expect(caught).toBeInstanceOf(DockerError);
  });
});
