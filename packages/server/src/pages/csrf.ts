import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * CSRF protection for the hosted pages' forms, without server-side sessions (any gateway process
 * can answer any step): a random cookie per browser, and in every form an HMAC of that cookie
 * under a server key (double submit, signed). Another site can make a browser post a form, but
 * it can neither read our cookie nor compute its MAC. `Sec-Fetch-Site: cross-site` and a foreign
 * `Origin` are refused outright where browsers send them; the token is what always decides.
 */
const CSRF_COOKIE = 'fawtara_csrf';
const COOKIE_RE = /^[A-Za-z0-9_-]{22}$/;

export interface Csrf {
  /** The token to embed in a form; sets the cookie when the browser has none yet. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string;
  /** True when the posted token matches this browser's cookie and the request is same-site. */
  verify(request: FastifyRequest, posted: unknown): boolean;
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function createCsrf(opts: { key: Buffer; publicBaseUrl: string }): Csrf {
  const secure = opts.publicBaseUrl.startsWith('https:');
  const publicOrigin = new URL(opts.publicBaseUrl).origin;
  const mac = (cookie: string) => createHmac('sha256', opts.key).update(cookie).digest('base64url');

  function sameSite(request: FastifyRequest): boolean {
    if (request.headers['sec-fetch-site'] === 'cross-site') return false;
    const origin = request.headers.origin;
    // Absent (older browsers) or "null" (privacy settings, sandboxed frames): the token decides.
    if (typeof origin !== 'string' || origin === 'null') return true;
    // Behind a proxy the browser's origin is the public one; direct, it is this host.
    return origin === publicOrigin || origin === `${request.protocol}://${request.headers.host ?? ''}`;
  }

  return {
    tokenFor(request, reply) {
      let cookie = readCookie(request, CSRF_COOKIE);
      if (cookie === undefined || !COOKIE_RE.test(cookie)) {
        cookie = randomBytes(16).toString('base64url');
        reply.header('set-cookie', `${CSRF_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400${secure ? '; Secure' : ''}`);
      }
      return mac(cookie);
    },

    verify(request, posted) {
      if (!sameSite(request)) return false;
      const cookie = readCookie(request, CSRF_COOKIE);
      if (cookie === undefined || !COOKIE_RE.test(cookie) || typeof posted !== 'string') return false;
      const expected = Buffer.from(mac(cookie));
      const given = Buffer.from(posted);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
