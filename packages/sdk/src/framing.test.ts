import { createCodec } from '@fawtara/wire';
import { describe, expect, it } from 'vitest';
import { wireVectors } from '../../server/src/test-support/documented-samples.ts';
import { Client } from './client.ts';
import { SANDBOX_CREDENTIALS } from './core.ts';
import { AuthenticationError, ConflictError, FawtaraError, NotFoundError, RateLimitError, ServerError, ValidationError } from './errors.ts';
import { createEnvelope, resultOf } from './framing.ts';
import { recordingFetch } from './testing/support.ts';

interface Vectors {
  secretKey: string;
  iv: string;
  valid: { name: string; padBlock: number; hex: string; plaintext: string }[];
  invalid: { name: string; hex: string }[];
}

// The wire fixture (the documented samples of Hesabe's merchant API, encrypted with its public sandbox key), read eagerly
// by the server's test support: a missing or broken file fails the suite instead of skipping it.
const vectors = wireVectors as Vectors;
const keys = { secretKey: vectors.secretKey, iv: vectors.iv };
const envelope = createEnvelope(keys);
const codec = createCodec(keys);

/** A client whose every request gets `reply` (the sandbox keys are the vectors' keys). */
function clientReplying(reply: (n: number) => Response) {
  const rec = recordingFetch((_req, n) => reply(n));
  const client = new Client({
    baseUrl: 'http://fawtara.test',
    ...SANDBOX_CREDENTIALS,
    tokens: { accessToken: 'stored', refreshToken: undefined, expiresAt: Date.now() + 3_600_000 },
    fetch: rec.fetch,
    maxRetries: 0,
  });
  return { client, rec };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const sealed = (value: unknown) => codec.encrypt(JSON.stringify(value));

describe('wire vectors through the SDK codec path', () => {
  it('uses the sandbox keys, and has both kinds', () => {
    expect(keys).toEqual({ secretKey: SANDBOX_CREDENTIALS.secretKey, iv: SANDBOX_CREDENTIALS.iv });
    expect(vectors.valid.length).toBeGreaterThanOrEqual(8);
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(11);
  });

  it.each(vectors.valid)('valid: $name opens in every reply framing', (vector) => {
    const expected = JSON.parse(vector.plaintext);
    for (const body of [
      vector.hex,
      `${vector.hex}\n`,
      JSON.stringify({ response: vector.hex }),
      JSON.stringify({ data: vector.hex }),
      JSON.stringify(vector.hex),
    ]) {
      expect(envelope.open(body)).toEqual({ ok: true, value: expected, encrypted: true });
    }
  });

  it.each(vectors.valid)('valid: $name comes back from a client call as its result', async (vector) => {
    const expected = resultOf(JSON.parse(vector.plaintext));
    for (const framing of [(hex: string) => hex, (hex: string) => JSON.stringify({ response: hex })]) {
      const { client } = clientReplying(() => json(200, framing(vector.hex)));
      expect(await client.request({ method: 'GET', path: '/api/v1/profile' })).toEqual(expected);
    }
  });

  it.each(vectors.valid.filter((v) => v.padBlock === 32))('valid: $name re-encrypts to the same hex (32-byte padding)', (vector) => {
    expect(envelope.seal(vector.plaintext)).toBe(vector.hex.toLowerCase());
  });

  it.each(vectors.valid)('valid: $name sent as a request payload decrypts to exactly that payload', async (vector) => {
    const payload = JSON.parse(vector.plaintext) as Record<string, unknown>;
    const { client, rec } = clientReplying(() => json(200, { response: sealed({ status: true, message: 'ok', response: null }) }));
    await client.request({ method: 'POST', path: '/api/v1/invoice', payload });
    const sent = (JSON.parse(rec.sent[0]!.body!) as { data: string }).data;
    expect(sent).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(codec.decrypt(sent))).toEqual({ ...payload, merchantCode: SANDBOX_CREDENTIALS.merchantCode });
    // Where the vector is what JSON.stringify writes and already names the sandbox merchant, the
    // bytes are the vector's own (the client pads to 32-byte blocks, like the server).
    if (vector.padBlock === 32 && JSON.stringify(payload) === vector.plaintext && payload.merchantCode === SANDBOX_CREDENTIALS.merchantCode) {
      expect(sent).toBe(vector.hex.toLowerCase());
    }
    // GETs carry the same envelope in ?data=.
    await client.request({ method: 'GET', path: '/api/v1/profile', payload, query: { page: 2 } });
    const url = new URL(rec.sent[1]!.url);
    expect(url.searchParams.get('page')).toBe('2');
    expect(JSON.parse(codec.decrypt(url.searchParams.get('data')!))).toEqual({ ...payload, merchantCode: SANDBOX_CREDENTIALS.merchantCode });
  });

  it('reproduces at least one vector byte for byte through the client', async () => {
    const exact = vectors.valid.filter((v) => {
      const p = JSON.parse(v.plaintext) as Record<string, unknown>;
      return v.padBlock === 32 && JSON.stringify(p) === v.plaintext && p.merchantCode === SANDBOX_CREDENTIALS.merchantCode;
    });
    expect(exact.length).toBeGreaterThan(0);
  });

  it.each(vectors.invalid)('invalid: $name is refused in every framing, as invalid_response, without a retry', async (vector) => {
    for (const body of [vector.hex, JSON.stringify({ response: vector.hex })]) {
      const opened = envelope.open(body);
      expect(opened.ok).toBe(false);
      const { client, rec } = clientReplying(() => json(200, body));
      const err = await client.request({ method: 'GET', path: '/api/v1/profile' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FawtaraError);
      expect(err).toMatchObject({ code: 'invalid_response', status: 200 });
      expect(rec.sent).toHaveLength(1);
    }
  });
});

describe('reply framings and error mapping', () => {
  const call = async (reply: Response) => {
    const { client } = clientReplying(() => reply);
    return client.request({ method: 'GET', path: '/api/v1/invoice/1' }).catch((e: unknown) => e);
  };

  it('results under `response` or under `data`, encrypted or plain', async () => {
    expect(await call(json(200, { response: sealed({ status: true, message: 'ok', response: { id: 1 } }) }))).toEqual({ id: 1 });
    expect(await call(json(200, sealed({ status: true, message: 'ok', data: { id: 2 } })))).toEqual({ id: 2 });
    expect(await call(json(200, { status: true, message: 'ok', response: { id: 3 } }))).toEqual({ id: 3 });
    expect(await call(json(200, { status: true, message: 'ok', data: { id: 4 } }))).toEqual({ id: 4 });
  });

  it('one object nested under response.data or flat under response', async () => {
    const { client } = clientReplying((n) =>
      json(200, { response: sealed({ status: true, message: 'ok', response: n === 1 ? { data: { id: 9 } } : { id: 9 } }) }),
    );
    expect(await client.invoices.get(9)).toEqual({ id: 9 });
    expect(await client.invoices.get(9)).toEqual({ id: 9 });
  });

  it('plain errors before decryption: Invalid Merchant, Invalid Token, Invalid Request Data', async () => {
    expect(await call(json(401, { status: false, code: 501, message: 'Invalid Merchant', response: null }, { 'x-request-id': 'r-1' }))).toMatchObject({
      name: 'AuthenticationError',
      status: 401,
      wireCode: 501,
      requestId: 'r-1',
      body: { message: 'Invalid Merchant' },
    });
    const bad = await call(json(400, { status: false, code: 506, message: 'Invalid Request Data', response: null }));
    expect(bad).toBeInstanceOf(FawtaraError);
    expect(bad).toMatchObject({ code: 'invalid_request', status: 400, message: 'Invalid Request Data' });
  });

  it('encrypted errors after decryption, in both framings', async () => {
    const fields = { 'invoices.1.amount': ['The amount must be at least 0.001.'], mobileNumber: ['bad'] };
    const v = await call(json(422, { response: sealed({ status: false, code: 422, message: 'The given data was invalid.', response: fields }) }));
    expect(v).toBeInstanceOf(ValidationError);
    expect((v as ValidationError).fields).toEqual(fields);
    expect(await call(json(404, sealed({ status: false, code: 404, message: 'Request not found', response: null })))).toBeInstanceOf(NotFoundError);
    expect(await call(json(409, { response: sealed({ status: false, code: 409, message: 'already cancelled', response: null }) }))).toMatchObject({
      name: 'ConflictError',
      message: 'already cancelled',
    });
    expect(await call(json(429, { status: false, code: 429, message: 'Too many', response: null }, { 'retry-after': '999' }))).toMatchObject({
      name: 'RateLimitError',
      retryAfter: 999,
    });
  });

  it("Hesabe's 2xx with status:false is an error too, mapped by its code", async () => {
    expect(
      await call(json(200, { response: sealed({ status: false, code: 422, message: 'invalid', response: { refundAmount: ['required'] } }) })),
    ).toMatchObject({
      name: 'ValidationError',
      status: 200,
      fields: { refundAmount: ['required'] },
    });
    expect(await call(json(200, { status: false, message: 'Request not found, Please verify the request data', response: null }))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await call(json(200, { status: false, code: 500, message: 'Invalid Token', response: null }))).toBeInstanceOf(AuthenticationError);
    expect(await call(json(200, { status: false, message: 'Invoice status update failed', response: null }))).toMatchObject({
      name: 'FawtaraError',
      code: 'api_error',
    });
  });

  it('server failures: a plain 500, an HTML 502 from a proxy', async () => {
    expect(await call(json(500, { message: 'Internal server error occurred' }))).toMatchObject({
      name: 'ServerError',
      status: 500,
      message: 'Internal server error occurred',
    });
    const html = await call(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(html).toBeInstanceOf(ServerError);
    expect(html).toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
  });

  it('a success that is neither JSON nor hex, or empty, is invalid_response', async () => {
    expect(await call(new Response('<html>ok</html>', { status: 200 }))).toMatchObject({ code: 'invalid_response' });
    expect(await call(new Response('', { status: 200 }))).toMatchObject({ code: 'invalid_response' });
    // Encrypted with other keys: tells the caller what to check.
    const other = createCodec({ secretKey: 'A'.repeat(32), iv: 'B'.repeat(16) }).encrypt('{"status":true}');
    expect(await call(json(200, { response: other }))).toMatchObject({ code: 'invalid_response', message: expect.stringMatching(/secretKey and iv/) });
  });

  it("the transaction enquiry reads Hesabe's `data` + `results` and a bare `response`", async () => {
    const tx = { token: '1', amount: '1.000', status: 'SUCCESSFUL' };
    const { client, rec } = clientReplying((n) =>
      n === 1
        ? json(200, { status: true, message: 'Transaction found', data: tx, results: [tx] })
        : json(200, { status: true, message: 'Transaction found', response: tx }),
    );
    expect(await client.transactions.enquire('1')).toEqual({ status: true, message: 'Transaction found', data: tx, results: [tx] });
    expect(await client.transactions.enquireByReference('ORDER 1/2')).toEqual({ status: true, message: 'Transaction found', data: tx, results: [tx] });
    expect(rec.sent[1]!.url).toBe('http://fawtara.test/api/transaction/ORDER%201%2F2?isOrderReference=1');
  });

  it('RateLimitError and ConflictError are FawtaraErrors', () => {
    expect(new RateLimitError({ message: 'x' })).toBeInstanceOf(FawtaraError);
    expect(new ConflictError({ message: 'x' })).toBeInstanceOf(Error);
  });
});
