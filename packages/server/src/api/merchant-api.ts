import { createCodec, EnvelopeError, phpJsonEncode, type Codec } from '@fawtara/wire';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { DB, Merchant } from '../db/schema.ts';
import { AppError, fieldError } from '../lib/app-error.ts';
import { scalarText } from '../lib/field-validator.ts';
import type { AccessTokens } from '../modules/auth/access-tokens.ts';
import { IDEMPOTENCY_KEY_RE, requestHash, type IdempotencyService } from '../modules/idempotency/idempotency.service.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { TtlCache } from '../lib/ttl-cache.ts';
import type { CredentialWithMerchant, MerchantsRepo } from '../modules/merchants/merchants.repo.ts';
import { readDataField, readGetBodyData } from './read-data-field.ts';

/**
 * The encrypted merchant API (DESIGN.md "Wire contract"). Every request goes through the same
 * gate, in this order, so failures are consistent and cheap ones come first:
 *   1. `accessCode` names active credentials of an active merchant  → else 401 Invalid Merchant
 *   2. `Authorization: Bearer` is a valid token of that same merchant → else 401 Invalid Token
 *   3. `data` decrypts with that merchant's key to a JSON object      → else 400 Invalid Request Data
 *      (plain and identical for every cause: no padding oracle)
 *   4. the payload's `merchantCode` is that merchant's code           → else 401, encrypted
 * From step 3 on, replies are encrypted with the merchant's key, errors included.
 */
export interface ApiResult {
  status?: number;
  message: string;
  response: unknown;
}

/**
 * Runs a write atomically, recording the Idempotency-Key result when one was sent. Work that is
 * a single SQL statement says so (`singleStatement`) and may then run without BEGIN/COMMIT.
 */
export type WriteScope = (work: (db: Kysely<DB> | Transaction<DB>) => Promise<ApiResult>, opts?: { singleStatement?: boolean }) => Promise<ApiResult>;

export interface MerchantRequestContext {
  merchant: Merchant;
  userId: bigint;
  payload: Record<string, unknown>;
  write: WriteScope;
  request: FastifyRequest;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the payload decrypted: from then on every reply is encrypted with it. */
    merchantCodec: Codec | null;
  }
}

export interface MerchantApiDeps {
  database: Database;
  merchantsRepo: MerchantsRepo;
  accessTokens: AccessTokens;
  idempotency: IdempotencyService;
  clock: Clock;
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
  const { db } = deps.database;
  // A credential and the codec derived from its keys are looked up and cached together. With a
  // TTL of 0 nothing is reused and every request reads the database.
  const credentials = new TtlCache<string, { credential: CredentialWithMerchant; codec: Codec }>(
    deps.credentialCacheMs ?? 5_000,
    10_000,
    () => deps.clock.now().getTime(),
  );

  async function findCredential(accessCode: string): Promise<{ credential: CredentialWithMerchant; codec: Codec } | undefined> {
    const cached = credentials.get(accessCode);
    if (cached) return cached;
    const credential = await deps.merchantsRepo.findActiveCredential(db, accessCode);
    if (!credential) return undefined;
    const found = { credential, codec: createCodec({ secretKey: credential.secretKey, iv: credential.iv }) };
    credentials.set(accessCode, found);
    return found;
  }

  async function authenticate(request: FastifyRequest) {
    const accessCode = request.headers.accesscode;
    if (typeof accessCode !== 'string' || accessCode.trim() === '') throw new AppError('INVALID_MERCHANT', { message: 'Missing accessCode header' });
    const found = await findCredential(accessCode.trim());
    if (!found) throw new AppError('INVALID_MERCHANT');
    const { credential, codec } = found;

    const auth = request.headers.authorization;
    const match = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!match) throw new AppError('INVALID_TOKEN', { message: 'Missing bearer token' });
    const claims = await deps.accessTokens.verify(match[1]!);
    if (!claims || claims.merchantId !== credential.merchant.id) throw new AppError('INVALID_TOKEN');
    return { merchant: credential.merchant, codec, userId: claims.userId };
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
     * endpoints (transaction enquiry, reference §7.5) that Hesabe authenticates that way.
     */
    async merchantByAccessCode(request: FastifyRequest): Promise<Merchant> {
      const accessCode = request.headers.accesscode;
      if (typeof accessCode !== 'string' || accessCode.trim() === '') throw new AppError('INVALID_MERCHANT', { message: 'Missing accessCode header' });
      const found = await findCredential(accessCode.trim());
      if (!found) throw new AppError('INVALID_MERCHANT');
      return found.credential.merchant;
    },

    /**
     * Wraps a handler of decrypted payloads. `idempotent` routes honour `Idempotency-Key`.
     */
    handler(fn: (ctx: MerchantRequestContext) => Promise<ApiResult>, opts: { idempotent?: boolean } = {}): RouteHandlerMethod {
      return async (request, reply) => {
        const { merchant, codec, userId } = await authenticate(request);
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
        if (merchantCode !== merchant.code) {
          throw new AppError('INVALID_MERCHANT', { message: 'The merchantCode does not belong to these credentials' });
        }

        let key: string | undefined;
        let hash = '';
        if (opts.idempotent) {
          const header = request.headers['idempotency-key'];
          if (header !== undefined) {
            if (typeof header !== 'string' || !IDEMPOTENCY_KEY_RE.test(header)) {
              throw fieldError('Idempotency-Key', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
            }
            key = header;
            hash = requestHash(`${request.method} ${request.routeOptions.url}`, payload);
            const previous = await deps.idempotency.lookup(merchant.id, key, hash);
            if (previous) return sendEncrypted(reply.header('idempotent-replayed', 'true'), codec, previous.status, previous.body);
          }
        }

        let replayed = false;
        const write: WriteScope = async (work, writeOpts) => {
          const outcome = await deps.idempotency.run(
            merchant.id,
            key,
            hash,
            async (trx) => {
              const r = await work(trx);
              return { status: r.status ?? 200, body: { status: true, message: r.message, response: r.response } };
            },
            writeOpts,
          );
          replayed = outcome.replayed;
          const body = outcome.body as { message: string; response: unknown };
          return { status: outcome.status, message: body.message, response: body.response };
        };

        const result = await fn({ merchant, userId, payload, write, request });
        if (replayed) reply.header('idempotent-replayed', 'true');
        return sendEncrypted(reply, codec, result.status ?? 200, { status: true, message: result.message, response: result.response });
      };
    },
  };
}

export type MerchantApi = ReturnType<typeof createMerchantApi>;
