import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../test-support/http-receiver.ts';
import type { HttpReceiver } from '../test-support/http-receiver.ts';
import { OutboundError, isOutboundError, postJson } from './outbound-http.ts';
import type { LookupFn } from './address-guard.ts';

let receiver: HttpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(() => receiver.close());
afterEach(() => receiver.setFallback(200));

const open = { timeoutMs: 2_000, allowPrivate: true };

/** Resolves `merchant.test` to the loopback receiver, as a DNS answer would. */
const toLoopback: LookupFn = async (hostname): Promise<LookupAddress[]> => {
  if (hostname === 'merchant.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}

async function rejection(p: Promise<unknown>): Promise<OutboundError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(isOutboundError(err)).toBe(true);
  return err as OutboundError;
}

describe('postJson', () => {
  it('posts the body and headers exactly', async () => {
    const before = receiver.received.length;
    const body = JSON.stringify({ event: 'invoice.paid', amount: '12.500', name: 'مطعم' });
    const result = await postJson(`${receiver.url}/hooks/fawtara?v=2`, body, {
      ...open,
      headers: { 'Fawtara-Signature': 't=1,v1=abc', 'fawtara-event-id': 'evt_1' },
    });
    expect(result.status).toBe(200);
    expect(result.body).toBe('{"ok":true}');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const [got] = receiver.received.slice(before);
    expect(got).toMatchObject({ method: 'POST', path: '/hooks/fawtara?v=2', rawBody: body });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(got!.headers['fawtara-signature']).toBe('t=1,v1=abc');
    expect(got!.headers['fawtara-event-id']).toBe('evt_1');
  });

  it('keeps a caller content-type and always sets its own content-length', async () => {
    const before = receiver.received.length;
    await postJson(receiver.url, '{"a":1}', {
      ...open,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '999' },
    });
    const [got] = receiver.received.slice(before);
    expect(got!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(got!.headers['content-length']).toBe('7');
    expect(got!.rawBody).toBe('{"a":1}');
  });

  it('returns non-2xx statuses without throwing', async () => {
    receiver.script(500, { status: 404, body: 'no such hook' }, 429, 400);
    expect(await postJson(receiver.url, '{}', open)).toMatchObject({ status: 500, body: '{"ok":false}' });
    expect(await postJson(receiver.url, '{}', open)).toMatchObject({ status: 404, body: 'no such hook' });
    expect((await postJson(receiver.url, '{}', open)).status).toBe(429);
    expect((await postJson(receiver.url, '{}', open)).status).toBe(400);
  });

  it('does not follow redirects: a 3xx is just a status', async () => {
    receiver.script({ status: 302, body: '' });
    expect(await postJson(receiver.url, '{}', open)).toMatchObject({ status: 302 });

    // A server that redirects to the receiver: the receiver must not be asked.
    const redirector = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(307, { location: `${receiver.url}/redirected` }).end());
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    try {
      const before = receiver.received.length;
      const { port } = redirector.address() as AddressInfo;
      expect(await postJson(`http://127.0.0.1:${port}/`, '{}', open)).toMatchObject({ status: 307, body: '' });
      await settle();
      expect(receiver.received.length).toBe(before);
    } finally {
      redirector.closeAllConnections();
      await new Promise((r) => redirector.close(r));
    }
  });

  it('rejects with ETIMEDOUT when the server hangs, close to timeoutMs', async () => {
    receiver.script('hang');
    const started = Date.now();
    const err = await rejection(postJson(receiver.url, '{}', { ...open, timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.message).toContain('300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('rejects when the connection drops', async () => {
    receiver.script('drop');
    const err = await rejection(postJson(receiver.url, '{}', open));
    expect(err.code).toBe('ECONNRESET');
  });

  it('rejects with ECONNREFUSED when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const err = await rejection(postJson(`http://127.0.0.1:${port}/`, '{}', open));
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('refuses loopback when private addresses are not allowed; the receiver gets nothing', async () => {
    const before = receiver.received.length;
    const literal = await rejection(postJson(receiver.url, '{"x":1}', { timeoutMs: 2_000, allowPrivate: false }));
    expect(literal.code).toBe('EADDRBLOCKED');
    expect(literal.message).toContain('loopback address 127.0.0.1');
    const byName = await rejection(postJson(`http://localhost:${receiver.port}/`, '{}', { timeoutMs: 2_000, allowPrivate: false }));
    expect(byName.code).toBe('EADDRBLOCKED');
    const resolved = await rejection(postJson(`http://merchant.test:${receiver.port}/`, '{}', { timeoutMs: 2_000, allowPrivate: false, resolve: toLoopback }));
    expect(resolved.code).toBe('EADDRBLOCKED');
    expect(resolved.message).toContain('merchant.test');
    const mapped = await rejection(postJson(`http://[::ffff:127.0.0.1]:${receiver.port}/`, '{}', { timeoutMs: 2_000, allowPrivate: false }));
    expect(mapped.code).toBe('EADDRBLOCKED');
    await settle();
    expect(receiver.received.length).toBe(before);
  });

  it('never reuses a kept-alive connection opened for an allowPrivate caller for a strict one', async () => {
    const before = receiver.received.length;
    const url = `http://merchant.test:${receiver.port}/pooled`;
    expect((await postJson(url, '{}', { timeoutMs: 2_000, allowPrivate: true, resolve: toLoopback })).status).toBe(200);
    const err = await rejection(postJson(url, '{}', { timeoutMs: 2_000, allowPrivate: false, resolve: toLoopback }));
    expect(err.code).toBe('EADDRBLOCKED');
    await settle();
    expect(receiver.received.length).toBe(before + 1);
  });

  it('truncates the response body at maxResponseBytes', async () => {
    const big = 'x'.repeat(200_000);
    receiver.script({ status: 200, body: big }, { status: 200, body: big }, { status: 201, body: 'short' });
    expect(await postJson(receiver.url, '{}', { ...open, maxResponseBytes: 1_000 })).toMatchObject({ status: 200, body: 'x'.repeat(1_000) });
    const defaulted = await postJson(receiver.url, '{}', open);
    expect(defaulted.body.length).toBe(64 * 1024);
    expect(await postJson(receiver.url, '{}', { ...open, maxResponseBytes: 5 })).toMatchObject({ status: 201, body: 'short' });
  });

  it('refuses URLs it must not call, before any connection', async () => {
    for (const url of ['ftp://merchant.test/', 'http://user:secret@merchant.test/', 'not a url']) {
      const err = await rejection(postJson(url, '{}', open));
      expect(err.code).toBe('EBADURL');
      expect(err.message).not.toContain('secret');
    }
  });

  it('never puts request headers, path or query in its errors', async () => {
    receiver.script('hang', 'drop');
    const headers = { authorization: 'Bearer sk_live_SECRET', 'x-api-key': 'SECRET2' };
    const url = `${receiver.url}/send?apiKey=QUERYSECRET`;
    const errors = [
      await rejection(postJson(url, '{}', { ...open, headers, timeoutMs: 200 })),
      await rejection(postJson(url, '{}', { ...open, headers })),
      await rejection(postJson(url, '{}', { ...open, headers, allowPrivate: false })),
      await rejection(postJson(url, '{}', { ...open, headers: { 'x-bad': 'SECRET3\r\nInjected: 1' } })),
    ];
    expect(errors.map((e) => e.code)).toEqual(['ETIMEDOUT', 'ECONNRESET', 'EADDRBLOCKED', 'ERR_INVALID_CHAR']);
    for (const e of errors) {
      const everything = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
      expect(everything).not.toMatch(/SECRET|QUERYSECRET|Injected/);
    }
  });
});
