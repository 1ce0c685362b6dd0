import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { blockedLiteral, guardedLookup, parseOutboundUrl } from './address-guard.ts';
import type { LookupFn } from './address-guard.ts';

/**
 * POST a JSON body to a URL someone else chose (a merchant's webhook endpoint, an SMS provider),
 * safely: the address guard applies at connection time (see address-guard.ts), one deadline
 * covers connect, request and response, redirects are not followed, and the response body is
 * capped. node:http rather than fetch because fetch has no per-request `lookup` hook.
 *
 * Failures reject with an `OutboundError` whose `code` says what happened ('ETIMEDOUT',
 * 'EADDRBLOCKED', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EBADURL', …). Its message names the
 * origin only (never the path or query, which may carry provider keys) and never a header.
 */

export interface PostJsonOptions {
  /** Extra headers. `content-type` defaults to application/json; `content-length` is always ours. */
  headers?: Record<string, string>;
  /** Total deadline from the call to the last byte of the response. */
  timeoutMs: number;
  /** Allow private, loopback, link-local … addresses (self-hosting on one network, tests). */
  allowPrivate: boolean;
  /** Bytes of response body kept; the rest is discarded and the connection closed. 64 KiB by default. */
  maxResponseBytes?: number;
  /** Resolver used instead of DNS (tests, custom resolvers). The guard applies to its answers too. */
  resolve?: LookupFn;
}

export interface PostJsonResult {
  status: number;
  /** Response body as UTF-8, at most `maxResponseBytes` bytes of it. */
  body: string;
  durationMs: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export class OutboundError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly durationMs: number,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

export function isOutboundError(err: unknown): err is OutboundError {
  return err instanceof OutboundError;
}

// Keep-alive pools, one per protocol and per guard mode: a socket opened to a private address
// for an allowPrivate caller must never be handed to a caller that forbids private addresses
// (the pool key is host:port, and `lookup` only runs for new sockets). Idle sockets close after
// 4 s, before the common 5 s server keep-alive timeout, to avoid reusing a socket the server is
// closing.
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000 };
const agents = {
  'http:': { strict: new http.Agent(AGENT_OPTIONS), lenient: new http.Agent(AGENT_OPTIONS) },
  'https:': { strict: new https.Agent(AGENT_OPTIONS), lenient: new https.Agent(AGENT_OPTIONS) },
} as const;
const defaultLookups = { strict: guardedLookup(false), lenient: guardedLookup(true) };

export function postJson(url: string, body: string, opts: PostJsonOptions): Promise<PostJsonResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const maxBytes = Math.max(0, opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);

  return new Promise<PostJsonResult>((resolve, reject) => {
    const parsed = parseOutboundUrl(url);
    if (!parsed.ok) {
      reject(new OutboundError(`cannot POST: ${parsed.reason}`, 'EBADURL', elapsed()));
      return;
    }
    const origin = parsed.url.origin;
    // Node connects to IP literals without calling `lookup`: the guard must look at them here.
    if (parsed.ipLiteral && !opts.allowPrivate) {
      const blocked = blockedLiteral(parsed.host);
      if (blocked) {
        reject(new OutboundError(`POST ${origin} refused: ${blocked.message}`, blocked.code, elapsed()));
        return;
      }
    }

    const payload = Buffer.from(body, 'utf8');
    const headers: Record<string, string | number> = {};
    let hasContentType = false;
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') continue;
      if (lower === 'content-type') hasContentType = true;
      headers[name] = value;
    }
    if (!hasContentType) headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;

    const mode = opts.allowPrivate ? 'lenient' : 'strict';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (code: string, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new OutboundError(`POST ${origin} ${message}`, code, elapsed()));
    };
    const succeed = (status: number, chunks: Buffer[]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, body: Buffer.concat(chunks).toString('utf8'), durationMs: elapsed() });
    };

    let req: http.ClientRequest;
    try {
      const transport = parsed.url.protocol === 'https:' ? https : http;
      req = transport.request(parsed.url, {
        method: 'POST',
        headers,
        agent: agents[parsed.url.protocol as 'http:' | 'https:'][mode],
        lookup: opts.resolve ? guardedLookup(opts.allowPrivate, opts.resolve) : defaultLookups[mode],
      });
    } catch (err) {
      // Invalid header names or values throw here; Node's message can quote a value, so it is not reused.
      const code = (err as NodeJS.ErrnoException | null)?.code ?? 'EREQUEST';
      fail(code, 'not sent: invalid request headers');
      return;
    }

    timer = setTimeout(() => {
      fail('ETIMEDOUT', `timed out after ${opts.timeoutMs} ms`);
      req.destroy();
    }, opts.timeoutMs);

    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(err.code ?? 'EREQUEST', `failed: ${err.message}`);
    });

    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > maxBytes) {
          // Keep what fits, drop the rest and the connection: a huge or endless body costs us nothing.
          chunks.push(chunk.subarray(0, maxBytes - size));
          succeed(status, chunks);
          res.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => succeed(status, chunks));
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'ECONNRESET', `failed while reading the response: ${err.message}`));
      res.on('close', () => {
        if (!res.complete) fail('ECONNRESET', 'failed: the connection closed before the response was complete');
      });
    });

    req.end(payload);
  });
}
