import { createCodec, EnvelopeError, phpJsonEncode, type Codec } from '@fawtara/wire';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Merchant } from '../db/schema.ts';
import { ReplayedWrite, type RecordedReply, type WriteScope } from '../db/write-scope.ts';
import { AppError, fieldError } from '../lib/app-error.ts';
import type { Clock } from '../lib/clock.ts';
import { scalarText } from '../lib/field-validator.ts';
import { TtlCache } from '../lib/ttl-cache.ts';
import type { ApiDocs } from './api-docs.ts';
import type { OperationExample } from './openapi/examples.ts';
import { readDataField, readGetBodyData } from './read-data-field.ts';
import { IDEMPOTENCY_KEY_RE, requestHash } from './request-identity.ts';

/**
 * The encrypted merchant API. Every request goes through the same gate, in this order, so
 * failures are consistent and cheap ones come first:
 *   1. `accessCode` names active credentials of an active merchant  → else 401 Invalid Merchant
 *   2. `Authorization: Bearer` is a valid token of that same merchant → else 401 Invalid Token
 *   3. `data` decrypts with that merchant's key to a JSON object      → else 400 Invalid Request Data
 *      (plain and identical for every cause: no padding oracle)
 *   4. the payload's `merchantCode` is that merchant's code           → else 401, encrypted
 * From step 3 on, replies are encrypted with the merchant's key, errors included.
 *
 * The gate knows nothing of the modules: it depends on the three ports below, and each route
 * says what it does with a request (`EncryptedRoute`).
 */

/** Port: the active credentials behind an access code, with their merchant. */
export interface CredentialLookup {
  findActiveCredential(accessCode: string): Promise<{ merchant: Merchant; secretKey: string; iv: string } | undefined>;
}

/** Port: the claims of a valid bearer token, or nothing. */
export interface TokenCheck {
  verify(token: string): Promise<{ merchantId: bigint; userId: bigint } | undefined>;
}

/** Port: stored replies under Idempotency-Keys, and the atomic writes that record them. */
export interface IdempotencyStore {
  /** The reply stored under the key; throws when the key was used with another payload. */
  lookup(merchantId: bigint, key: string, requestHash: string): Promise<RecordedReply | undefined>;
  scope(request: { merchantId: bigint; key: string | undefined; requestHash: string; reply(result: unknown): RecordedReply }): WriteScope;
}

/** What a route's work gets of a request that passed the gate. */
export interface MerchantCall {
  merchant: Merchant;
  /** The panel user the bearer token was issued to. */
  userId: bigint;
  /** The decrypted payload. */
  payload: Record<string, unknown>;
  /** The plain query string (GET lists take their filters there too; the payload wins). */
  query: Record<string, unknown>;
  /** The path parameters. */
  params: Record<string, string>;
  /** Every write of the request goes through this: atomic, and recorded under its Idempotency-Key. */
  write: WriteScope;
}

/**
 * One encrypted endpoint, declared once: its method and URL, whether it honours Idempotency-Key,
 * its documentation, the success message of its replies and the work it does. The work's result
 * is the reply's `response`, checked against the documented schema by the compiler.
 */
export interface EncryptedRoute<S extends TSchema = TSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** The OpenAPI operationId: what generated clients call the method. */
  operationId: string;
  /** Honours Idempotency-Key (creating POSTs). */
  idempotent?: boolean;
  /** Can be refused because of the resource's state (409). */
  conflicts?: boolean;
  tags: string[];
  summary: string;
  description: string;
  request: TSchema;
  response: S;
  successMessage: string;
  /** A request that succeeds and what its reply carries, for the documentation. */
  example?: OperationExample<Record<string, unknown>, Static<S>>;
  handle(call: MerchantCall): Promise<Static<S>>;
}

/** Keeps the link between a route's response schema and its work's result when routes are listed together. */
export function encryptedRoute<S extends TSchema>(route: EncryptedRoute<S>): EncryptedRoute {
  return route as unknown as EncryptedRoute;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the payload decrypted: from then on every reply is encrypted with it. */
    merchantCodec: Codec | null;
  }
}

export interface MerchantApiDeps {
  credentials: CredentialLookup;
  tokens: TokenCheck;
  idempotency: IdempotencyStore;
  clock: Clock;
  docs: ApiDocs;
  /**
   * How long a process may reuse a credential lookup. A revoked or rotated credential keeps
   * working in other processes for at most this long. 0 disables the cache.
   */
  credentialCacheMs?: number;
}

/** Sends an encrypted `{"response":"<hex>"}` reply of a plaintext reply object. */
export function sendEncrypted(reply: FastifyReply, codec: Codec, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(`{"response":"${codec.encrypt(phpJsonEncode(body))}"}`);
}

export function createMerchantApi(deps: MerchantApiDeps) {
  // A credential and the codec derived from its keys are looked up and cached together. With a
  // TTL of 0 nothing is reused and every request reads the database.
  const credentials = new TtlCache<string, { merchant: Merchant; codec: Codec }>(deps.credentialCacheMs ?? 5_000, 10_000, () => deps.clock.now().getTime());

  async function findCredential(request: FastifyRequest): Promise<{ merchant: Merchant; codec: Codec }> {
    const header = request.headers.accesscode;
    if (typeof header !== 'string' || header.trim() === '') throw new AppError('INVALID_MERCHANT', { message: 'Missing accessCode header' });
    const accessCode = header.trim();
    const cached = credentials.get(accessCode);
    if (cached) return cached;
    const credential = await deps.credentials.findActiveCredential(accessCode);
    if (!credential) throw new AppError('INVALID_MERCHANT');
    const found = { merchant: credential.merchant, codec: createCodec({ secretKey: credential.secretKey, iv: credential.iv }) };
    credentials.set(accessCode, found);
    return found;
  }

  async function authenticate(request: FastifyRequest) {
    const { merchant, codec } = await findCredential(request);
    const auth = request.headers.authorization;
    const match = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!match) throw new AppError('INVALID_TOKEN', { message: 'Missing bearer token' });
    const claims = await deps.tokens.verify(match[1]!);
    if (!claims || claims.merchantId !== merchant.id) throw new AppError('INVALID_TOKEN');
    return { merchant, codec, userId: claims.userId };
  }

  async function decryptPayload(request: FastifyRequest, merchant: Merchant, codec: Codec): Promise<Record<string, unknown>> {
    const hex = readDataField(request) ?? (await readGetBodyData(request));
    if (hex === undefined) throw new AppError('INVALID_REQUEST_DATA');
    let payload: Record<string, unknown>;
    try {
      payload = codec.decryptJson(hex);
    } catch (err) {
      if (err instanceof EnvelopeError) throw new AppError('INVALID_REQUEST_DATA');
      throw err;
    }
    request.merchantCodec = codec;

    if (payload.merchantCode === undefined || payload.merchantCode === null || payload.merchantCode === '') {
      throw fieldError('merchantCode', 'The merchantCode field is required.');
    }
    const merchantCode = scalarText(payload.merchantCode);
    if (merchantCode === undefined) throw fieldError('merchantCode', 'The merchantCode field must be a string.');
    if (merchantCode !== merchant.code) throw new AppError('INVALID_MERCHANT', { message: 'The merchantCode does not belong to these credentials' });
    return payload;
  }

  function idempotencyKey(request: FastifyRequest): string | undefined {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY_RE.test(header)) {
      throw fieldError('Idempotency-Key', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
    }
    return header;
  }

  async function serve(route: EncryptedRoute, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { merchant, codec, userId } = await authenticate(request);
    const payload = await decryptPayload(request, merchant, codec);
    const success = (response: unknown): RecordedReply => ({ status: 200, body: { status: true, message: route.successMessage, response } });

    const key = route.idempotent ? idempotencyKey(request) : undefined;
    const hash = key === undefined ? '' : requestHash(`${request.method} ${route.url}`, payload);
    if (key !== undefined) {
      const previous = await deps.idempotency.lookup(merchant.id, key, hash);
      if (previous) return sendEncrypted(reply.header('idempotent-replayed', 'true'), codec, previous.status, previous.body);
    }
    const write = deps.idempotency.scope({ merchantId: merchant.id, key, requestHash: hash, reply: success });
    try {
      const response = await route.handle({
        merchant,
        userId,
        payload,
        query: (request.query ?? {}) as Record<string, unknown>,
        params: (request.params ?? {}) as Record<string, string>,
        write,
      });
      const { status, body } = success(response);
      return sendEncrypted(reply, codec, status, body);
    } catch (err) {
      if (err instanceof ReplayedWrite) return sendEncrypted(reply.header('idempotent-replayed', 'true'), codec, err.reply.status, err.reply.body);
      throw err;
    }
  }

  return {
    /**
     * Drops what this process remembers of merchants, after a change to a merchant's settings:
     * its next request reads them afresh (other processes within the cache's lifetime).
     */
    forgetCachedMerchants(): void {
      credentials.clear();
    },

    /**
     * The merchant named by the `accessCode` header alone, for the payment gateway's plain
     * endpoints (transaction enquiry) that Hesabe authenticates that way.
     */
    async merchantByAccessCode(request: FastifyRequest): Promise<Merchant> {
      return (await findCredential(request)).merchant;
    },

    /** Registers an encrypted route with its documentation. */
    register(app: FastifyInstance, route: EncryptedRoute): void {
      const schema = deps.docs.encrypted({
        method: route.method,
        url: route.url,
        operationId: route.operationId,
        tags: route.tags,
        summary: route.summary,
        description: route.description,
        request: route.request,
        response: route.response,
        successMessage: route.successMessage,
        ...(route.idempotent ? { idempotent: true } : {}),
        ...(route.conflicts ? { conflicts: true } : {}),
        ...(route.example ? { example: route.example } : {}),
      });
      app.route({ method: route.method, url: route.url, schema, handler: (request, reply) => serve(route, request, reply) });
    },
  };
}

export type MerchantApi = ReturnType<typeof createMerchantApi>;
