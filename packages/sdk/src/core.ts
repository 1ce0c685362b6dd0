import { randomUUID } from 'node:crypto';
import { TokenManager, type TokenReply, type TokenSet } from './auth.ts';
import { AuthenticationError, errorFromReply, FawtaraError, ValidationError } from './errors.ts';
import { createEnvelope, resultOf, type Envelope } from './framing.ts';
import { Transport, type TransportResponse } from './http.ts';
import { isRecord } from './is-record.ts';

/**
 * Where the client connects. Hesabe serves the merchant API (`/api/v1/*`) and the payment
 * gateway (`/api/transaction/*`) from two hosts; Fawtara serves both from one.
 *
 * @example
 * new Client({ environment: 'hesabe-sandbox', ...credentials });
 * ENVIRONMENTS['hesabe-sandbox'].gatewayUrl; // 'https://sandbox.hesabe.com'
 */
export const ENVIRONMENTS = {
  /** A Fawtara started with `npm start` on this machine. */
  local: { baseUrl: 'http://localhost:3000', gatewayUrl: 'http://localhost:3000' },
  /** Hesabe's public sandbox. */
  'hesabe-sandbox': { baseUrl: 'https://merchantapisandbox.hesabe.com', gatewayUrl: 'https://sandbox.hesabe.com' },
  /** Hesabe's production hosts. */
  'hesabe-production': { baseUrl: 'https://merchantapi.hesabe.com', gatewayUrl: 'https://api.hesabe.com' },
} as const satisfies Record<string, { baseUrl: string; gatewayUrl: string }>;

export type Environment = keyof typeof ENVIRONMENTS;

/** Hesabe's public sandbox merchant, from @fawtara/wire. */
export { SANDBOX_CREDENTIALS } from '@fawtara/wire';

export interface ClientOptions {
  /** A preset for `baseUrl` and `gatewayUrl`. One of `environment` or `baseUrl` is required. */
  environment?: Environment;
  /**
   * Origin (and optional path prefix) of the merchant API, without `/api/v1`: e.g.
   * `http://localhost:3000`, `https://merchantapisandbox.hesabe.com`. Overrides the preset.
   */
  baseUrl?: string;
  /** Origin of the payment gateway's `/api/transaction/*` (Hesabe's second host). Default: the preset's, else `baseUrl`. */
  gatewayUrl?: string;
  merchantCode: string;
  /** The access code (UUID), sent as the `accessCode` header. */
  accessCode: string;
  /** The 32-character secret key of the envelope. */
  secretKey: string;
  /** The 16-character IV of the envelope. */
  iv: string;
  /** Panel username for `/api/v1/login`; needed by every call except enquiry and webhook checks. */
  username?: string;
  password?: string;
  /** A stored session (see `client.tokens()`), to skip the first login. */
  tokens?: TokenSet;
  /** Called with every new session (login or refresh), e.g. to store it. */
  onTokens?: (tokens: TokenSet) => void;
  /** Default signing secret(s) for `webhooks.verify`/`constructEvent`. */
  webhookSecret?: string | string[];
  /** Replaces the global fetch (tests, proxies, instrumentation). */
  fetch?: typeof globalThis.fetch;
  /** Per attempt, including reading the reply. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, where retrying is safe (see README). Default 2. */
  maxRetries?: number;
  /** First backoff step; doubles per retry, with jitter. Default 500. */
  retryBaseDelayMs?: number;
  /** Longest backoff step. Default 8 000. */
  retryMaxDelayMs?: number;
  /** Longest Retry-After honoured by waiting; a longer one surfaces at once as RateLimitError. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Renew the access token this long before it expires. Default 60 000. */
  refreshMarginMs?: number;
  /** The client's clock, ms since the epoch (tests). Default Date.now. */
  now?: () => number;
  /** Extra headers on every request (e.g. `{ locale: 'ar' }`). */
  headers?: Record<string, string>;
}

/** Per-call options. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
  /** Overrides the client's maxRetries for this call. */
  maxRetries?: number;
}

/** Per-call options of the creating calls. */
export interface CreateOptions extends RequestOptions {
  /**
   * Makes the create repeat-safe: the server answers a repeat of the same key and payload with
   * the first result. The client sends a random one when absent (and reuses it on its own
   * retries); pass your own to make retries across processes or restarts safe too.
   */
  idempotencyKey?: string;
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under the base URL, e.g. `/api/v1/invoice`. */
  path: string;
  /** Encrypted; `merchantCode` is added. */
  payload?: Record<string, unknown>;
  /** Plain query parameters (list filters, as Hesabe documents them). */
  query?: Record<string, string | number | undefined>;
  /** Sent as Idempotency-Key; makes the POST retry-safe. */
  idempotencyKey?: string | undefined;
  options?: RequestOptions | undefined;
}

/** Sent in User-Agent; kept equal to package.json's version by a test (no file read at import). */
export const SDK_VERSION = '0.2.0';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function origin(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${what} must be an http(s) URL`);
  if (url.search || url.hash) throw new TypeError(`${what} must not have a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}

function requireText(options: ClientOptions, key: 'merchantCode' | 'accessCode'): string {
  const value = options[key];
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`ClientOptions.${key} is required`);
  return value.trim();
}

/**
 * The machinery behind the resources: configuration, envelope, transport with retries, and
 * the session. One per Client; the resources call it.
 *
 * @example
 * const core = new Core(options);
 * const page = await core.api({ method: 'GET', path: '/api/v1/invoice-dashboard', query: { page: 1 } });
 */
export class Core {
  readonly baseUrl: string;
  readonly gatewayUrl: string;
  readonly merchantCode: string;
  readonly accessCode: string;
  readonly envelope: Envelope;
  readonly transport: Transport;
  readonly tokens: TokenManager;
  readonly webhookSecret: string | string[] | undefined;
  /** Sent on every request: identification, `accept`, and ClientOptions.headers. */
  private readonly baseHeaders: Record<string, string>;
  private readonly username: string | undefined;
  private readonly password: string | undefined;

  constructor(options: ClientOptions) {
    if (!isRecord(options)) throw new TypeError('new Client(options): options are required');
    const preset = options.environment === undefined ? undefined : ENVIRONMENTS[options.environment];
    if (options.environment !== undefined && preset === undefined) {
      throw new TypeError(`Unknown environment ${JSON.stringify(options.environment)}; use one of ${Object.keys(ENVIRONMENTS).join(', ')}`);
    }
    const base = options.baseUrl ?? preset?.baseUrl;
    if (base === undefined) throw new TypeError('new Client(options): give baseUrl or environment');
    this.baseUrl = origin(base, 'baseUrl');
    // With an explicit baseUrl, the gateway is the same server unless told otherwise (Fawtara).
    this.gatewayUrl = origin(options.gatewayUrl ?? (options.baseUrl === undefined ? preset?.gatewayUrl : undefined) ?? this.baseUrl, 'gatewayUrl');
    this.merchantCode = requireText(options, 'merchantCode');
    this.accessCode = requireText(options, 'accessCode');
    // Validates the key lengths now (TypeError), not at the first request.
    this.envelope = createEnvelope({ secretKey: options.secretKey, iv: options.iv });
    this.username = options.username;
    this.password = options.password;
    this.webhookSecret = options.webhookSecret;
    this.baseHeaders = { 'user-agent': `fawtara-sdk/${SDK_VERSION} node/${process.versions.node}`, accept: 'application/json', ...options.headers };

    const now = options.now ?? Date.now;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('No fetch available: use Node 20+ or pass options.fetch');
    const nonNegative = (value: number | undefined, fallback: number, what: string) => {
      if (value === undefined) return fallback;
      if (!Number.isFinite(value) || value < 0) throw new TypeError(`ClientOptions.${what} must be a non-negative number`);
      return value;
    };
    this.transport = new Transport({
      fetch: fetchImpl,
      timeoutMs: nonNegative(options.timeoutMs, 30_000, 'timeoutMs') || 30_000,
      maxRetries: Math.floor(nonNegative(options.maxRetries, 2, 'maxRetries')),
      retryBaseDelayMs: nonNegative(options.retryBaseDelayMs, 500, 'retryBaseDelayMs'),
      retryMaxDelayMs: nonNegative(options.retryMaxDelayMs, 8_000, 'retryMaxDelayMs'),
      maxRetryAfterMs: nonNegative(options.maxRetryAfterMs, 60_000, 'maxRetryAfterMs'),
      now,
      random: Math.random,
    });
    this.tokens = new TokenManager({
      login: () => this.login(),
      refresh: (refreshToken) => this.refresh(refreshToken),
      now,
      refreshMarginMs: nonNegative(options.refreshMarginMs, 60_000, 'refreshMarginMs'),
      initial: options.tokens,
      onTokens: options.onTokens,
    });
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return { ...this.baseHeaders, ...extra };
  }

  /** Decodes a reply; throws the mapped error for anything but a successful one. */
  private decode(res: TransportResponse): unknown {
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const decoded = this.envelope.open(res.text);
    if (res.status >= 200 && res.status < 300) {
      if (!decoded.ok) {
        throw new FawtaraError({
          code: 'invalid_response',
          message:
            decoded.reason === 'undecryptable'
              ? 'The reply could not be decrypted: check secretKey and iv'
              : `The reply is not a Hesabe/Fawtara reply (${decoded.reason === 'empty' ? 'empty body' : 'neither JSON nor hex'})`,
          status: res.status,
          requestId,
          body: res.text,
        });
      }
      if (isRecord(decoded.value) && decoded.value.status === false) {
        throw errorFromReply({ status: res.status, body: decoded.value, requestId, retryAfter: res.retryAfter });
      }
      return decoded.value;
    }
    throw errorFromReply({ status: res.status, body: decoded.ok ? decoded.value : res.text, requestId, retryAfter: res.retryAfter });
  }

  private tokenOf(value: unknown): TokenReply {
    // {"response":{"token":{…}}} (Fawtara, and Hesabe's login); tolerate `data` and a token one level up.
    const result = resultOf(value);
    const token = isRecord(result) && isRecord(result.token) ? result.token : result;
    if (!isRecord(token) || typeof token.access_token !== 'string' || token.access_token === '') {
      throw new FawtaraError({ code: 'invalid_response', message: 'The login reply carries no access_token', body: value });
    }
    const expiresIn = typeof token.expires_in === 'number' ? token.expires_in : typeof token.expires_in === 'string' ? Number(token.expires_in) : undefined;
    return {
      access_token: token.access_token,
      refresh_token: typeof token.refresh_token === 'string' && token.refresh_token !== '' ? token.refresh_token : undefined,
      expires_in: expiresIn !== undefined && Number.isFinite(expiresIn) ? expiresIn : undefined,
    };
  }

  /**
   * POST /api/v1/login, plain JSON. Retry-safe although a POST: a repeated login changes
   * nothing but issuing another session, and a session whose reply was lost is never used.
   */
  private async login(): Promise<TokenReply> {
    if (!this.username || !this.password) {
      throw new AuthenticationError({ message: 'username and password are required to call the merchant API (ClientOptions.username / password)' });
    }
    const res = await this.transport.send({
      method: 'POST',
      url: `${this.baseUrl}/api/v1/login`,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ username: this.username, password: this.password }),
      retrySafe: true,
    });
    return this.tokenOf(this.decode(res));
  }

  /**
   * POST /api/v1/token-refresh, plain JSON. Never retried after it may have reached the server:
   * presenting a refresh token twice revokes its whole family.
   */
  private async refresh(refreshToken: string): Promise<TokenReply> {
    const res = await this.transport.send({
      method: 'POST',
      url: `${this.baseUrl}/api/v1/token-refresh`,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ refreshToken }),
      retrySafe: false,
    });
    return this.tokenOf(this.decode(res));
  }

  /**
   * A creating POST, always repeat-safe: it carries the caller's Idempotency-Key, else a fresh
   * random one, which the transport's retries then reuse.
   */
  create(path: string, payload: Record<string, unknown>, options: CreateOptions): Promise<unknown> {
    return this.api({ method: 'POST', path, payload, idempotencyKey: options.idempotencyKey ?? `sdk-${randomUUID()}`, options });
  }

  /**
   * One encrypted merchant-API call: encrypts the payload, authenticates (logging in or
   * refreshing as needed), retries where safe, re-authenticates once after a 401, decrypts the
   * reply and returns its result (`response` or `data`), or throws the mapped error.
   */
  async api(call: ApiCall): Promise<unknown> {
    const key = call.idempotencyKey;
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      // The server's own rule and wording, refused before sending.
      const message = 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.';
      throw new ValidationError({ message, fields: { 'Idempotency-Key': [message] } });
    }
    const hex = this.envelope.sealPayload({ ...call.payload, merchantCode: this.merchantCode });
    let url = `${this.baseUrl}${call.path}`;
    const base: Record<string, string> = { accesscode: this.accessCode };
    if (key !== undefined) base['idempotency-key'] = key;
    let body: string | undefined;
    if (call.method === 'GET') {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) params.set(name, String(value));
      params.set('data', hex);
      url += `?${params.toString()}`;
    } else {
      base['content-type'] = 'application/json';
      body = JSON.stringify({ data: hex });
    }
    const retrySafe = call.method === 'GET' || (call.method === 'POST' && key !== undefined);

    for (let reauthenticated = false; ; reauthenticated = true) {
      const token = await this.tokens.get();
      const res = await this.transport.send({
        method: call.method,
        url,
        headers: this.headers({ ...base, authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { body }),
        retrySafe,
        signal: call.options?.signal,
        timeoutMs: call.options?.timeoutMs,
        maxRetries: call.options?.maxRetries,
      });
      try {
        return resultOf(this.decode(res));
      } catch (err) {
        // A 401 mid-session (expired or revoked server-side) was refused before anything
        // happened, so one retry with a new token is safe for any method. Not for an unknown
        // accessCode (501): a new token cannot fix that.
        if (!reauthenticated && err instanceof AuthenticationError && res.status === 401 && err.wireCode !== 501) {
          this.tokens.invalidate(token);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * A payment-gateway GET authenticated by the accessCode header alone (transaction
   * enquiry): plain JSON either way, no token. Returns the whole decoded reply.
   */
  async gateway(call: { path: string; query?: Record<string, string>; options?: RequestOptions | undefined }): Promise<unknown> {
    const params = new URLSearchParams(call.query ?? {}).toString();
    const res = await this.transport.send({
      method: 'GET',
      url: `${this.gatewayUrl}${call.path}${params ? `?${params}` : ''}`,
      headers: this.headers({ accesscode: this.accessCode }),
      retrySafe: true,
      signal: call.options?.signal,
      timeoutMs: call.options?.timeoutMs,
      maxRetries: call.options?.maxRetries,
    });
    return this.decode(res);
  }
}
