/** Mints access tokens (JWTs) and opaque single-use refresh tokens, and redeems the latter. */
import { randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, SignJWT } from 'jose';
import type { User } from './users.ts';

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: { id: string; email: string };
}

export interface IssueOptions {
  /** Lifetime in seconds; may be zero or negative to produce an already expired token. */
  ttlS: number;
  /** Sign with the unpublished key (foreign-signing-key fault). */
  foreign: boolean;
}

const REFRESH_TTL_MS = 24 * 60 * 60 * 1000;

interface RefreshGrant {
  user: User;
  expiresAt: number;
}

interface IssuerKey {
  /** Absent for a shared secret (HS256), which has no key set to pick from. */
  kid?: string;
  privateKey: CryptoKey | Uint8Array;
}

/** `SigningKeys` (ES256/RS256 with a JWKS) or a dialect's shared secret. */
export interface IssuerKeys {
  alg: string;
  current: IssuerKey;
  foreign: IssuerKey;
}

export interface TokenIssuerOptions {
  keys: IssuerKeys;
  issuer: string;
  audience: string;
  /** Claims a dialect adds to every access token. */
  claims?: (user: User) => Record<string, unknown>;
}

export class TokenIssuer {
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  /**
   * Every token handed out, kept so the project's secret-scan test can search artifacts for
   * tokens the harness may not know it holds. Reference platform only; bounded.
   */
  readonly issuedTokens: { access_tokens: string[]; refresh_tokens: string[] } = {
    access_tokens: [],
    refresh_tokens: [],
  };

  constructor(private readonly options: TokenIssuerOptions) {}

  async issue(user: User, { ttlS, foreign }: IssueOptions): Promise<TokenBody> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlS;
    // An already expired token looks as if it had been issued a minute before it lapsed.
    const iat = ttlS > 0 ? now : exp - 60;
    const key = foreign ? this.options.keys.foreign : this.options.keys.current;
    const claims = { ...this.options.claims?.(user), email: user.email };
    const kid = key.kid === undefined ? {} : { kid: key.kid };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: this.options.keys.alg, ...kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(user.id)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(key.privateKey);
    const refreshToken = this.grantRefresh(user);
    if (this.issuedTokens.access_tokens.length < 10_000) {
      this.issuedTokens.access_tokens.push(accessToken);
      this.issuedTokens.refresh_tokens.push(refreshToken);
    }
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: ttlS,
      user: { id: user.id, email: user.email },
    };
  }

  /** The user a refresh token was granted to, consuming it; undefined when unknown or expired. */
  redeemRefresh(refreshToken: string): User | undefined {
    const grant = this.refreshGrants.get(refreshToken);
    if (grant === undefined) return undefined;
    this.refreshGrants.delete(refreshToken);
    return grant.expiresAt > Date.now() ? grant.user : undefined;
  }

  private grantRefresh(user: User): string {
    const now = Date.now();
    for (const [token, grant] of this.refreshGrants) {
      if (grant.expiresAt <= now) this.refreshGrants.delete(token);
    }
    const token = randomBytes(32).toString('base64url');
    this.refreshGrants.set(token, { user, expiresAt: now + REFRESH_TTL_MS });
    return token;
  }
}
