import { createHash, randomUUID } from 'node:crypto';
import { getOrCreateSetting } from '../../db/server-settings.ts';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { opaqueSecret } from '../../lib/random-ids.ts';
import { ACCESS_TOKEN_SECONDS, createAccessTokens, newSigningKey, type AccessTokens } from './access-tokens.ts';
import { createAuthRepo } from './auth.repo.ts';
import { decoyHash, verifyPassword } from './passwords.ts';

/**
 * Panel login and token refresh, hardened:
 * - refresh tokens are opaque, stored as sha256, rotated on every use;
 * - presenting a refresh token that was already used revokes its whole family (it was stolen,
 *   or the client is replaying: either way every descendant is untrusted);
 * - failed logins are counted per username and per client address in the database, so the
 *   limit holds across every gateway process.
 */
export interface LoginLimits {
  windowSeconds: number;
  maxFailuresPerUser: number;
  maxFailuresPerAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowSeconds: 900, maxFailuresPerUser: 5, maxFailuresPerAddress: 30 };
export const REFRESH_TOKEN_DAYS = 30;

export interface TokenPair {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function createAuthService(deps: { database: Database; clock: Clock; loginLimits?: LoginLimits }) {
  const repo = createAuthRepo();
  const { db } = deps.database;
  const limits = deps.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  const signingKey = await getOrCreateSetting(db, 'jwt_hs256_key', newSigningKey);
  const tokens: AccessTokens = createAccessTokens(signingKey, deps.clock);

  async function issue(userId: bigint, merchantId: bigint, familyId: string): Promise<TokenPair> {
    const refresh = opaqueSecret();
    const expiresAt = new Date(deps.clock.now().getTime() + REFRESH_TOKEN_DAYS * 86_400_000);
    await repo.insertRefreshToken(db, { userId, familyId, tokenHash: sha256(refresh), expiresAt });
    return {
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      access_token: await tokens.sign({ userId, merchantId }),
      refresh_token: refresh,
    };
  }

  async function assertNotLimited(keys: Array<[string, number]>, windowStartAfter: Date): Promise<void> {
    for (const [key, max] of keys) {
      const current = await repo.rateLimitHits(db, key, windowStartAfter);
      if (current && current.hits >= max) {
        const retryAfter = Math.max(1, Math.ceil((current.windowStart.getTime() + limits.windowSeconds * 1000 - deps.clock.now().getTime()) / 1000));
        throw new AppError('RATE_LIMITED', {
          message: `Too many failed login attempts. Try again in ${retryAfter} seconds.`,
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    }
  }

  return {
    accessTokens: tokens,

    async login(input: { username: string; password: string; address: string }): Promise<TokenPair> {
      const now = deps.clock.now();
      const windowStartAfter = new Date(now.getTime() - limits.windowSeconds * 1000);
      const userKey = `login:user:${input.username.toLowerCase()}`;
      const addressKey = `login:addr:${input.address}`;
      await assertNotLimited(
        [
          [userKey, limits.maxFailuresPerUser],
          [addressKey, limits.maxFailuresPerAddress],
        ],
        windowStartAfter,
      );

      const user = await repo.findLoginUser(db, input.username);
      // Verify against a decoy when the user does not exist, so timing does not reveal usernames.
      const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
      if (!user || !ok) {
        await repo.rateLimitHit(db, userKey, now, windowStartAfter);
        await repo.rateLimitHit(db, addressKey, now, windowStartAfter);
        throw new AppError('INVALID_LOGIN');
      }
      await repo.rateLimitReset(db, userKey);
      return issue(user.id, user.merchantId, randomUUID());
    },

    async refresh(refreshToken: string): Promise<TokenPair> {
      const now = deps.clock.now();
      const hash = sha256(refreshToken);
      const consumed = await repo.consumeRefreshToken(db, hash, now);
      if (!consumed) {
        const known = await repo.findRefreshToken(db, hash);
        if (known?.usedAt) await repo.revokeFamily(db, known.familyId, now);
        throw new AppError('INVALID_TOKEN', { message: 'Invalid or expired refresh token' });
      }
      const user = await repo.findActiveUser(db, consumed.userId);
      if (!user) throw new AppError('INVALID_TOKEN', { message: 'Invalid or expired refresh token' });
      return issue(user.id, user.merchantId, consumed.familyId);
    },
  };
}

export type AuthService = Awaited<ReturnType<typeof createAuthService>>;
