import { ConnectionError } from './errors.ts';

/**
 * One HTTP exchange with retries, and nothing else: no envelope, no tokens. The retry rules
 * (README "Retries") in one place:
 *
 * - A request is *retry-safe* when repeating it cannot do anything twice: GETs, and POSTs that
 *   carry an Idempotency-Key (the server answers a repeat with the first result).
 * - Retry-safe requests are retried after a connection error or a timeout, and after 429, 502,
 *   503 and 504.
 * - Every other request (a POST without a key, PUT, DELETE) is retried only when it certainly
 *   did not reach the server: the connection was refused before anything was sent, or the
 *   server answered 429/503 *with* Retry-After (it refused the request and said when to come
 *   back). A dropped connection or a timeout after sending is never retried: the server may
 *   have acted on it.
 * - Waits grow exponentially with jitter; a Retry-After is honoured, but one longer than
 *   `maxRetryAfterMs` is not waited for: the reply is returned at once (the caller raises a
 *   RateLimitError carrying `retryAfter`).
 */
export interface TransportOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryAfterMs: number;
  /** ms since the epoch (used to read a Retry-After date). */
  now: () => number;
  random: () => number;
}

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Repeating it cannot act twice (GET, or POST with an Idempotency-Key). */
  retrySafe: boolean;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Retry-After in seconds, if the reply had one. */
  retryAfter: number | undefined;
}

/** Connection failures that happen before a single byte of the request is sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Seconds from a Retry-After value (delta-seconds or an HTTP date), or undefined.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120
 * parseRetryAfter('Sat, 21 Nov 2026 09:00:30 GMT', Date.parse('2026-11-21T09:00:00Z')); // 30
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends requests with the retry rules above, a per-attempt timeout, and the caller's signal.
 *
 * @example
 * const transport = new Transport({ fetch, timeoutMs: 30_000, maxRetries: 2, retryBaseDelayMs: 500, retryMaxDelayMs: 8_000, maxRetryAfterMs: 60_000, now: Date.now, random: Math.random });
 * const res = await transport.send({ method: 'GET', url, headers: {}, retrySafe: true });
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  /** Exponential backoff with "equal jitter": between half and all of base × 2^retry, capped. */
  backoffMs(retry: number): number {
    const { retryBaseDelayMs, retryMaxDelayMs, random } = this.options;
    const full = Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** retry);
    return Math.round(full / 2 + random() * (full / 2));
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const maxRetries = req.maxRetries ?? this.options.maxRetries;
    for (let attempt = 1; ; attempt++) {
      const retriesLeft = attempt <= maxRetries;
      let response: TransportResponse;
      try {
        response = await this.once(req);
      } catch (err) {
        if (!(err instanceof ConnectionError) || err.code === 'aborted') throw err;
        const notSent = err.code === 'connection_error' && NOT_SENT_CODES.has(causeCode(err.cause) ?? '');
        if (retriesLeft && (req.retrySafe || notSent)) {
          await this.wait(this.backoffMs(attempt - 1), req.signal);
          continue;
        }
        throw err;
      }
      if (!retriesLeft) return response;
      const { status, retryAfter } = response;
      const refused = (status === 429 || status === 503) && retryAfter !== undefined;
      const retryable = req.retrySafe ? status === 429 || status === 502 || status === 503 || status === 504 : refused;
      if (!retryable) return response;
      if (retryAfter !== undefined) {
        if (retryAfter * 1000 > this.options.maxRetryAfterMs) return response;
        // Never sooner than asked; a little jitter so many clients do not return in step.
        await this.wait(retryAfter * 1000 + Math.round(this.options.random() * 100), req.signal);
      } else {
        await this.wait(this.backoffMs(attempt - 1), req.signal);
      }
    }
  }

  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (reason) {
      throw new ConnectionError({ code: 'aborted', message: 'Request aborted', cause: reason });
    }
  }

  private async once(req: TransportRequest): Promise<TransportResponse> {
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const describe = `${req.method} ${new URL(req.url).pathname}`;
    try {
      const res = await this.options.fetch(req.url, {
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal,
        redirect: 'manual',
      });
      // Read the whole body under the same deadline: a reply that stalls halfway is a timeout too.
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, retryAfter: parseRetryAfter(res.headers.get('retry-after'), this.options.now()) };
    } catch (err) {
      if (req.signal?.aborted) throw new ConnectionError({ code: 'aborted', message: `${describe}: aborted`, cause: req.signal.reason ?? err });
      if (timeout.aborted) throw new ConnectionError({ code: 'timeout', message: `${describe}: no reply within ${timeoutMs} ms`, cause: err });
      const code = causeCode(err);
      throw new ConnectionError({ message: `${describe}: ${code ? `${code}, ` : ''}${err instanceof Error ? err.message : String(err)}`, cause: err });
    }
  }
}
