/**
 * The bearer token's life: log in lazily, refresh ahead of expiry, one
 * renewal in flight however many calls wait, login again when a refresh fails.
 */

/**
 * The client's session. Store it (e.g. a CLI between runs) and pass it back as
 * `ClientOptions.tokens` to skip a login.
 */
export interface TokenSet {
  accessToken: string;
  /** Single-use: each refresh returns a new one. Absent when the server gave none. */
  refreshToken: string | undefined;
  /** When the access token expires, ms since the epoch on the client's clock. */
  expiresAt: number;
}

/** What login and refresh return, read leniently (Fawtara and Hesabe share the shape). */
export interface TokenReply {
  access_token: string;
  refresh_token?: string | undefined;
  expires_in?: number | undefined;
}

export interface TokenManagerDeps {
  login: () => Promise<TokenReply>;
  refresh: (refreshToken: string) => Promise<TokenReply>;
  now: () => number;
  /** Renew this long before expiry (60 s by default), or at half-life for short-lived tokens. */
  refreshMarginMs: number;
  initial?: TokenSet | undefined;
  onTokens?: ((tokens: TokenSet) => void) | undefined;
}

/** Hesabe's and Fawtara's lifetime when a reply does not say (`expires_in` 900). */
const DEFAULT_LIFETIME_S = 900;

/**
 * Holds the session and renews it: lazily, ahead of expiry, one renewal in flight for every
 * waiting call, refresh first and login when the refresh is refused. Used by the Client.
 *
 * @example
 * const tokens = new TokenManager({ login, refresh, now: Date.now, refreshMarginMs: 60_000 });
 * const bearer = await tokens.get();       // logs in on first use
 * tokens.invalidate(bearer);              // after a 401: the next get() renews (once)
 */
export class TokenManager {
  private tokens: TokenSet | undefined;
  /** When to renew, on the client's clock; -Infinity after the server refused the token. */
  private renewAt = 0;
  private inflight: Promise<string> | undefined;

  constructor(private readonly deps: TokenManagerDeps) {
    if (deps.initial) this.store(deps.initial, false);
  }

  current(): TokenSet | undefined {
    return this.tokens ? { ...this.tokens } : undefined;
  }

  /** A usable access token: the current one, or the result of the one renewal in flight. */
  async get(): Promise<string> {
    if (this.tokens && this.deps.now() < this.renewAt) return this.tokens.accessToken;
    return this.renew();
  }

  /**
   * The server refused `accessToken` (401): forget it, unless a renewal already replaced it.
   * The refresh token is kept: the next get() tries it first.
   */
  invalidate(accessToken: string): void {
    if (this.tokens?.accessToken === accessToken) this.renewAt = -Infinity;
  }

  /** Forces a fresh login (not a refresh) and returns the new session. */
  async login(): Promise<TokenSet> {
    this.tokens = undefined;
    await this.renew();
    return this.current()!;
  }

  private renew(): Promise<string> {
    this.inflight ??= this.doRenew().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async doRenew(): Promise<string> {
    const refreshToken = this.tokens?.refreshToken;
    let reply: TokenReply | undefined;
    if (refreshToken !== undefined) {
      try {
        reply = await this.deps.refresh(refreshToken);
      } catch {
        // Expired, revoked or already used (its family is then revoked server-side): a new login
        // starts a new family. Whatever went wrong, login reports it better.
        reply = undefined;
      }
    }
    reply ??= await this.deps.login();
    const now = this.deps.now();
    const lifetimeMs = (reply.expires_in !== undefined && reply.expires_in > 0 ? reply.expires_in : DEFAULT_LIFETIME_S) * 1000;
    this.store({ accessToken: reply.access_token, refreshToken: reply.refresh_token ?? undefined, expiresAt: now + lifetimeMs }, true);
    return reply.access_token;
  }

  private store(tokens: TokenSet, notify: boolean): void {
    this.tokens = { ...tokens };
    const now = this.deps.now();
    const remaining = tokens.expiresAt - now;
    // Renew `margin` before expiry, but never in the first half of a short token's life.
    const lead = Math.min(this.deps.refreshMarginMs, Math.max(0, remaining) / 2);
    this.renewAt = tokens.expiresAt - lead;
    if (notify) this.deps.onTokens?.({ ...tokens });
  }
}
