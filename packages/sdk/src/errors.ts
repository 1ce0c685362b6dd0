/**
 * The SDK's errors: one small family, so callers can branch with `instanceof` and read the same
 * fields everywhere. The server's errors arrive in two forms:
 * plain JSON before the envelope is opened (`Invalid Merchant`, `Invalid Token`, `Invalid Request
 * Data`) and encrypted JSON after it (`{"status":false,"code":422,"message":…,"response":{field:[…]}}`).
 * Both are decoded first and then mapped here by one function, {@link errorFromReply}.
 */
import type { WebhookVerification } from '@fawtara/wire';
import { isRecord } from './is-record.ts';

/** What went wrong, as a stable identifier for code (messages are informational only: Hesabe's wording varies between endpoints). */
export type FawtaraErrorCode =
  | 'authentication_error'
  | 'validation_error'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'connection_error'
  | 'timeout'
  | 'aborted'
  | 'server_error'
  | 'invalid_request'
  | 'invalid_response'
  | 'invalid_webhook'
  | 'api_error';

export interface FawtaraErrorInit {
  message: string;
  code?: FawtaraErrorCode;
  /** HTTP status; absent for errors raised before or without a reply. */
  status?: number | undefined;
  /** The reply's `x-request-id`: quote it when asking the gateway's operator about a failure. */
  requestId?: string | undefined;
  /** The decoded reply (decrypted JSON, plain JSON, or the raw text when neither). */
  body?: unknown;
  /** The reply's numeric `code` (Hesabe's codes: 422, 500, 501, 506, …). */
  wireCode?: number | undefined;
  cause?: unknown;
}

/**
 * The base of every error the SDK throws on purpose.
 *
 * @example
 * import { FawtaraError } from '@fawtara/sdk';
 * try {
 *   await client.invoices.get(42);
 * } catch (err) {
 *   if (err instanceof FawtaraError) console.error(err.code, err.status, err.requestId, err.message);
 *   else throw err;
 * }
 */
export class FawtaraError extends Error {
  override name = 'FawtaraError';
  readonly code: FawtaraErrorCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly wireCode: number | undefined;

  constructor(init: FawtaraErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code ?? 'api_error';
    this.status = init.status;
    this.requestId = init.requestId;
    this.body = init.body;
    this.wireCode = init.wireCode;
  }
}

/**
 * 401: wrong username or password, an unknown access code, or a token the server refused even
 * after the client logged in again.
 *
 * @example
 * try { await client.profile.get() } catch (err) {
 *   if (err instanceof AuthenticationError) console.error('check FAWTARA_USERNAME / FAWTARA_PASSWORD');
 * }
 */
export class AuthenticationError extends FawtaraError {
  override name = 'AuthenticationError';
  constructor(init: Omit<FawtaraErrorInit, 'code'>) {
    super({ ...init, code: 'authentication_error' });
  }
}

/**
 * 422 from the server, or a parameter the SDK refused before sending anything (then `status` is
 * undefined). `fields` maps each bad field's path (`amount`, `invoices.1.mobileNumber`) to its
 * messages, Laravel style, as the server reports them.
 *
 * @example
 * try {
 *   await client.invoices.create({ ...params, amount: '12.3456' });
 * } catch (err) {
 *   if (err instanceof ValidationError) console.error(err.fields); // { amount: ['amount must be …'] }
 * }
 */
export class ValidationError extends FawtaraError {
  override name = 'ValidationError';
  readonly fields: Record<string, string[]>;
  constructor(init: Omit<FawtaraErrorInit, 'code'> & { fields?: Record<string, string[]> }) {
    super({ ...init, code: 'validation_error' });
    this.fields = init.fields ?? {};
  }
}

/**
 * 404: the invoice, open invoice, transaction or event does not exist (or belongs to another
 * merchant, which the server answers identically).
 *
 * @example
 * const invoice = await client.invoices.get(id).catch((err) => (err instanceof NotFoundError ? null : Promise.reject(err)));
 */
export class NotFoundError extends FawtaraError {
  override name = 'NotFoundError';
  constructor(init: Omit<FawtaraErrorInit, 'code'>) {
    super({ ...init, code: 'not_found' });
  }
}

/**
 * 409: the request is valid but the resource's state forbids it (cancelling a paid or an
 * already cancelled invoice, resending an expired one).
 *
 * @example
 * try { await client.invoices.cancel(token) } catch (err) {
 *   if (err instanceof ConflictError) console.log('nothing to cancel:', err.message);
 * }
 */
export class ConflictError extends FawtaraError {
  override name = 'ConflictError';
  constructor(init: Omit<FawtaraErrorInit, 'code'>) {
    super({ ...init, code: 'conflict' });
  }
}

/**
 * 429: too many requests (failed logins, for instance). `retryAfter` is the server's
 * `Retry-After` in seconds, when it sent one.
 *
 * @example
 * try { await client.profile.get() } catch (err) {
 *   if (err instanceof RateLimitError) console.log(`try again in ${err.retryAfter ?? '?'} s`);
 * }
 */
export class RateLimitError extends FawtaraError {
  override name = 'RateLimitError';
  readonly retryAfter: number | undefined;
  constructor(init: Omit<FawtaraErrorInit, 'code'> & { retryAfter?: number | undefined }) {
    super({ ...init, code: 'rate_limited' });
    this.retryAfter = init.retryAfter;
  }
}

/**
 * No reply: the connection failed or was dropped (`code` 'connection_error'), the request timed
 * out ('timeout'), or the caller's AbortSignal fired ('aborted'). `status` is always undefined.
 * A create that ends in this error may or may not have happened: call it again with the same
 * `idempotencyKey` to find out safely.
 *
 * @example
 * const key = randomUUID();
 * try { await client.invoices.create(params, { idempotencyKey: key }) } catch (err) {
 *   if (err instanceof ConnectionError) await client.invoices.create(params, { idempotencyKey: key }); // same invoice, never two
 * }
 */
export class ConnectionError extends FawtaraError {
  override name = 'ConnectionError';
  constructor(init: Omit<FawtaraErrorInit, 'code' | 'status'> & { code?: 'connection_error' | 'timeout' | 'aborted' }) {
    super({ ...init, code: init.code ?? 'connection_error', status: undefined });
  }
}

/**
 * 5xx: the server failed. Details are in the server's log under `requestId`.
 *
 * @example
 * try { await client.invoices.list() } catch (err) {
 *   if (err instanceof ServerError) console.error(`gateway error, request id ${err.requestId}`);
 * }
 */
export class ServerError extends FawtaraError {
  override name = 'ServerError';
  constructor(init: Omit<FawtaraErrorInit, 'code'>) {
    super({ ...init, code: 'server_error' });
  }
}

/**
 * A webhook that failed verification (`reason` says why) or whose body is not a Fawtara event.
 *
 * @example
 * try {
 *   const event = client.webhooks.constructEvent(rawBody, req.headers['fawtara-signature'], secrets);
 * } catch (err) {
 *   if (err instanceof WebhookVerificationError) return res.status(400).send(err.reason);
 * }
 */
export class WebhookVerificationError extends FawtaraError {
  override name = 'WebhookVerificationError';
  /** Why @fawtara/wire refused the signature, or `invalid_body` for a body that is not an event. */
  readonly reason: Extract<WebhookVerification, { ok: false }>['reason'] | 'invalid_body';
  constructor(reason: WebhookVerificationError['reason'], message?: string) {
    super({ code: 'invalid_webhook', message: message ?? `Webhook rejected: ${reason}` });
    this.reason = reason;
  }
}

/**
 * `{field: ["message", …]}` from a reply's `response` (Fawtara, Hesabe), `errors` (Laravel) or `data`.
 *
 * @example
 * fieldErrorsOf({ status: false, code: 422, response: { amount: ['too small'] } }); // { amount: ['too small'] }
 */
function fieldErrorsOf(body: unknown): Record<string, string[]> {
  if (!isRecord(body)) return {};
  for (const key of ['response', 'errors', 'data']) {
    const candidate = body[key];
    if (!isRecord(candidate)) continue;
    const out: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(candidate)) {
      if (Array.isArray(messages) && messages.every((m) => typeof m === 'string')) out[field] = messages as string[];
      else if (typeof messages === 'string') out[field] = [messages];
    }
    if (Object.keys(out).length > 0) return out;
  }
  return {};
}

function wireCodeOf(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const code = body.code;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\d{1,4}$/.test(code)) return Number(code);
  return undefined;
}

export interface ReplyFacts {
  /** HTTP status. */
  status: number;
  /** Decoded body (decrypted or plain JSON), or the raw text. */
  body: unknown;
  requestId?: string | undefined;
  /** Seconds, from Retry-After. */
  retryAfter?: number | undefined;
}

/**
 * Maps a failed reply to the error family: by HTTP status when it is an error status, else (a
 * 2xx carrying `"status": false`, as Hesabe sometimes answers) by the reply's numeric `code`.
 *
 * @example
 * errorFromReply({ status: 409, body: { status: false, code: 409, message: 'already cancelled' } }); // ConflictError
 * errorFromReply({ status: 200, body: { status: false, code: 422, response: { amount: ['…'] } } }); // ValidationError
 */
export function errorFromReply(reply: ReplyFacts): FawtaraError {
  const { status, body, requestId } = reply;
  const wireCode = wireCodeOf(body);
  const bodyMessage = isRecord(body) && typeof body.message === 'string' && body.message !== '' ? body.message : undefined;
  const textMessage = typeof body === 'string' && body.trim() !== '' && body.length < 300 ? body.trim() : undefined;
  const message = bodyMessage ?? textMessage ?? `HTTP ${status}`;
  const base = { message, status, requestId, body, wireCode };

  // What the status says; for a 2xx with status:false, what the wire code says.
  const kind = status >= 400 ? status : (wireCode ?? 0);
  if (status >= 500) return new ServerError(base);
  switch (kind) {
    case 401:
    case 403:
      return new AuthenticationError(base);
    case 404:
      return new NotFoundError(base);
    case 409:
      return new ConflictError(base);
    case 422:
      return new ValidationError({ ...base, fields: fieldErrorsOf(body) });
    case 429:
      return new RateLimitError({ ...base, retryAfter: reply.retryAfter });
    case 400:
      // Fawtara answers an undecryptable payload with 400 and Hesabe's 506; a 422 inside a 400
      // (some Laravel apps) is still a validation failure.
      if (wireCode === 422) return new ValidationError({ ...base, fields: fieldErrorsOf(body) });
      return new FawtaraError({ ...base, code: 'invalid_request' });
  }
  if (status < 400) {
    // Hesabe's codes: 500 Invalid Token, 501 Invalid Merchant, 504 Invalid Merchant
    // Login Credentials; 506 Invalid Request Data.
    if (wireCode === 500 || wireCode === 501 || wireCode === 504) return new AuthenticationError(base);
    if (wireCode === 506) return new FawtaraError({ ...base, code: 'invalid_request' });
    // Hesabe's not-found replies ("Request not found, Please verify the request data",
    // "Transaction not found") may come without a code.
    if (wireCode === undefined && /\bnot found\b/i.test(message)) return new NotFoundError(base);
  }
  return new FawtaraError(base);
}
