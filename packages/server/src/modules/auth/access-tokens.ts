import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../lib/clock.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';

/** Access tokens live 15 minutes, as Hesabe's (`expires_in` 900). */
export const ACCESS_TOKEN_SECONDS = 900;
const ISSUER = 'fawtara';
const AUDIENCE = 'fawtara-merchant-api';

export interface AccessClaims {
  userId: bigint;
  merchantId: bigint;
}

/** Generates the HS256 key stored in server_settings, shared by every gateway process. */
export function newSigningKey(): string {
  return randomBytes(32).toString('base64');
}

export function createAccessTokens(signingKeyBase64: string, clock: Clock) {
  const raw = Buffer.from(signingKeyBase64, 'base64');
  if (raw.length < 32) throw new Error('JWT signing key must be at least 32 bytes');
  // A KeyObject made once: jose would otherwise import the raw key on every verify.
  const key = createSecretKey(raw);
  // Clients reuse one token for up to 15 minutes; verifying it once per process is enough.
  // Entries live until the token's own expiry, checked against the injected clock.
  const verified = new TtlCache<string, AccessClaims & { exp: number; nbf: number }>(ACCESS_TOKEN_SECONDS * 1000, 50_000, () => clock.now().getTime());

  return {
    async sign(claims: AccessClaims): Promise<string> {
      const iat = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT({ mid: claims.merchantId.toString(), scopes: ['*'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId.toString())
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
        .setJti(randomUUID())
        .sign(key);
    },

    /** The token's claims, or undefined for anything invalid: bad signature, expired, wrong audience. */
    async verify(token: string): Promise<AccessClaims | undefined> {
      const nowSeconds = clock.now().getTime() / 1000;
      const cached = verified.get(token);
      if (cached) {
        if (cached.nbf <= nowSeconds && nowSeconds < cached.exp) return { userId: cached.userId, merchantId: cached.merchantId };
        return undefined;
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: clock.now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload.mid !== 'string') return undefined;
        if (!/^\d+$/.test(payload.sub) || !/^\d+$/.test(payload.mid)) return undefined;
        const claims = { userId: BigInt(payload.sub), merchantId: BigInt(payload.mid) };
        if (typeof payload.exp === 'number' && typeof payload.nbf === 'number') {
          verified.set(token, { ...claims, exp: payload.exp, nbf: payload.nbf }, Math.max(0, payload.exp * 1000 - clock.now().getTime()));
        }
        return claims;
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
