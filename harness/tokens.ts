/**
 * Real tokens for pre-existing users: fetched from the auth service's test-auth endpoint,
 * verified against its JWKS with jose, cached on disk (0600), refreshed near expiry. There is
 * no fallback: a token the auth service did not issue for this user is a failure, never a
 * reason to hand-sign one (the seeds' fake users that staging refused).
 */

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { CausedError } from './causes.ts';
import type { HarnessConfig } from './config.ts';
import { ExpiredTokenStore } from './expired-tokens.ts';
import { describeNetworkError, fetchVia, networkErrorCode, prepareHttp, request } from './http.ts';
import type { SecretRegistry } from './secret-registry.ts';
import { urlUnder } from './url.ts';

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; email: string };
}

export interface UserToken {
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch seconds, from the verified `exp` claim. */
  expiresAt: number;
  /** Epoch seconds, from the verified `iat` claim (else when it was obtained): with `expiresAt`, its lifetime. */
  issuedAt?: number;
  /** How this token was obtained: for the report and for counting token requests. */
  source: 'test-auth' | 'refresh' | 'cache';
}

async function postJson(
  config: HarnessConfig,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown; text: string }> {
  const timeoutMs = config.preflightTimeoutMs;
  await prepareHttp(config.network);
  try {
    const response = await request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      },
      config.network,
    );
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, json, text };
  } catch (error) {
    throw new CausedError(
      'SERVICE_UNREACHABLE',
      `POST ${url} failed: ${networkErrorCode(error)} ${describeNetworkError(error, timeoutMs)}`.replace(
        '  ',
        ' ',
      ),
    );
  }
}

function asTokenBody(json: unknown): TokenBody | undefined {
  const body = json as Partial<TokenBody> | undefined;
  return body && typeof body.access_token === 'string' && typeof body.refresh_token === 'string'
    ? (body as TokenBody)
    : undefined;
}

/** `POST /auth/e2e/test-auth` for one existing user; every refusal gets its own message. */
export async function requestTestToken(
  config: HarnessConfig,
  email: string,
  extra: Record<string, unknown> = {},
  keys?: KeySet,
): Promise<TokenBody> {
  const url = urlUnder(config.authUrl, 'auth/e2e/test-auth');
  const body = { ...(keys?.testAuthBody(email) ?? { email }), ...extra };
  const answer = await postJson(config, url, body, { 'X-E2E-Bypass-Key': config.bypassKey });
  const key = `E2E_BYPASS_KEY (set, ${config.bypassKey.length} chars)`;
  switch (answer.status) {
    case 200: {
      const body = asTokenBody(answer.json);
      if (body) return body;
      throw new CausedError('TOKEN_INVALID', `${url} answered 200 without a token body for ${email}`);
    }
    case 401:
      throw new CausedError(
        'TOKEN_REJECTED',
        `bypass key rejected: ${url} answered 401 for ${email}. Check ${key} against the auth service's configured key for E2E_ENV=${config.env}`,
      );
    case 403:
      throw new CausedError(
        'TOKEN_REJECTED',
        `bypass forbidden: ${url} answered 403 — this environment does not allow test-auth (production guard on the service side)`,
      );
    case 404:
      throw new CausedError(
        'USER_UNKNOWN',
        `user ${email} does not exist on ${config.authUrl} (test-auth answered 404). Tokens are issued only for existing users; create it there or fix E2E_USERS`,
      );
    default:
      throw new CausedError(
        'SERVICE_UNHEALTHY',
        `${url} answered ${answer.status} for ${email}: ${answer.text.slice(0, 160)}`,
      );
  }
}

/** `POST /auth/refresh`; undefined when the refresh token is refused (caller fetches anew). */
export async function refreshToken(
  config: HarnessConfig,
  refresh: string,
  field = 'refresh_token',
): Promise<TokenBody | undefined> {
  const answer = await postJson(config, urlUnder(config.authUrl, 'auth/refresh'), { [field]: refresh }, {});
  return answer.status === 200 ? asTokenBody(answer.json) : undefined;
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/**
 * How this deployment's tokens are obtained and trusted (the profile's `tokens`): verified against
 * the JWKS, against the shared HS256 secret, or only by their claims (no signature), plus the
 * test-auth body and the refresh field.
 */
export interface KeySet {
  verification: 'jwks' | 'hs256' | 'claims';
  jwks?: RemoteKeys;
  secret?: Uint8Array;
  testAuthBody: (email: string) => Record<string, unknown>;
  refreshField: string;
}

/** The JWKS under the auth service's base URL, path included. */
export const jwksUrl = (config: HarnessConfig): string => urlUnder(config.authUrl, '.well-known/jwks.json');

/** Where a token's trust comes from, for messages. */
export function trustedBy(config: HarnessConfig, keys: KeySet): string {
  if (keys.verification === 'hs256') return 'the shared secret E2E_JWT_SECRET (HS256)';
  if (keys.verification === 'claims') return 'its claims only: signature not verified';
  return jwksUrl(config);
}

export interface TokenRules {
  verify: KeySet['verification'];
  testAuthBody: (email: string) => Record<string, unknown>;
  refreshField: string;
}

const CONTRACT_RULES: TokenRules = {
  verify: 'jwks',
  testAuthBody: (email) => ({ email }),
  refreshField: 'refresh_token',
};

export function remoteKeySet(config: HarnessConfig, rules: TokenRules = CONTRACT_RULES): KeySet {
  const { verify, testAuthBody, refreshField } = rules;
  if (verify === 'hs256') {
    if (!config.jwtSecret)
      throw new CausedError(
        'CONFIG_INVALID',
        'the profile verifies tokens with HS256 (tokens.verify: "hs256") but E2E_JWT_SECRET is not set; set it to the auth service\'s signing secret, or use tokens.verify: "claims"',
      );
    return {
      verification: 'hs256',
      secret: new TextEncoder().encode(config.jwtSecret),
      testAuthBody,
      refreshField,
    };
  }
  if (verify === 'claims') return { verification: 'claims', testAuthBody, refreshField };
  // One key set per process: jose caches keys and refetches on an unknown `kid` (rotation).
  // Its fetch goes through the harness's dispatcher: the private CA and the proxies apply.
  const jwks = createRemoteJWKSet(new URL(jwksUrl(config)), {
    timeoutDuration: config.preflightTimeoutMs,
    [customFetch]: fetchVia(config.network),
  });
  return { verification: 'jwks', jwks, testAuthBody, refreshField };
}

/** jose's verification by the deployment's trust; `claims` checks expiry and claims alone. */
export async function verifyJwt(
  config: HarnessConfig,
  keys: KeySet,
  token: string,
  currentDate?: Date,
): Promise<JWTPayload> {
  const claimChecks = {
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
    ...(currentDate ? { currentDate } : {}),
  };
  if (keys.verification === 'claims') {
    const payload = decodeJwt(token);
    const now = (currentDate ?? new Date()).getTime() / 1000;
    if (typeof payload.exp === 'number' && payload.exp <= now)
      throw new joseErrors.JWTExpired('"exp" claim timestamp check failed', payload);
    if (config.jwtIssuer && payload.iss !== config.jwtIssuer)
      throw new joseErrors.JWTClaimValidationFailed(
        'unexpected "iss" claim value',
        payload,
        'iss',
        'check_failed',
      );
    return payload;
  }
  if (keys.verification === 'hs256' && keys.secret)
    return (await jwtVerify(token, keys.secret, { algorithms: ['HS256'], ...claimChecks })).payload;
  if (!keys.jwks) throw new Error('no key set');
  return (await jwtVerify(token, keys.jwks, { algorithms: ['RS256', 'ES256'], ...claimChecks })).payload;
}

/** Verify signature, expiry, issuer/audience when configured, and that it is this user's. */
export async function verifyToken(
  config: HarnessConfig,
  keys: KeySet,
  token: string,
  expected: { email: string; userId?: string },
): Promise<JWTPayload & { sub: string; exp: number }> {
  let payload: JWTPayload;
  try {
    payload = await verifyJwt(config, keys, token);
  } catch (error) {
    const why =
      error instanceof joseErrors.JWKSNoMatchingKey
        ? 'no key in the JWKS matches its kid/alg (JWKS key mismatch)'
        : error instanceof joseErrors.JWSSignatureVerificationFailed
          ? 'signature does not verify against the JWKS key with its kid (JWKS key mismatch)'
          : error instanceof joseErrors.JWTExpired
            ? 'it has expired'
            : error instanceof joseErrors.JWTClaimValidationFailed
              ? `claim ${error.claim} check failed: ${error.reason} (E2E_JWT_ISSUER / E2E_JWT_AUDIENCE)`
              : `${(error as Error).name}: ${(error as Error).message}`;
    throw new CausedError(
      'TOKEN_INVALID',
      `the token for ${expected.email} cannot be verified against ${trustedBy(config, keys)}: ${why}`,
    );
  }
  const email = payload.email;
  if (email !== expected.email || (expected.userId !== undefined && payload.sub !== expected.userId)) {
    throw new CausedError(
      'TOKEN_INVALID',
      `token for the wrong user: asked for ${expected.email}${expected.userId ? ` (${expected.userId})` : ''}, got email ${String(email)} sub ${String(payload.sub)}`,
    );
  }
  if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
    throw new CausedError('TOKEN_INVALID', `token for ${expected.email} lacks sub or exp`);
  }
  return payload as JWTPayload & { sub: string; exp: number };
}

/** The on-disk cache: one 0600 file per auth service and user, so workers never race. */
export class TokenCache {
  constructor(private readonly dir: string) {}

  private file(authUrl: string, email: string): string {
    const id = createHash('sha256').update(`${authUrl}\n${email}`).digest('hex').slice(0, 24);
    return path.join(this.dir, `${id}.json`);
  }

  read(authUrl: string, email: string): UserToken | undefined {
    const file = this.file(authUrl, email);
    if (!existsSync(file)) return undefined;
    try {
      return { ...(JSON.parse(readFileSync(file, 'utf8')) as UserToken), source: 'cache' };
    } catch {
      return undefined;
    }
  }

  write(authUrl: string, token: UserToken): void {
    this.retirePrevious(authUrl, token);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(authUrl, token.email);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(token), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  }

  /** The access token this write replaces becomes, once expired, the auth spec's expired token. */
  private retirePrevious(authUrl: string, token: UserToken): void {
    const previous = this.read(authUrl, token.email);
    if (!previous || previous.accessToken === token.accessToken) return;
    const { accessToken, expiresAt } = previous;
    new ExpiredTokenStore(this.dir).retire(authUrl, token.email, { accessToken, expiresAt });
  }
}

export function tokenCacheDir(config: HarnessConfig): string {
  return path.join(config.stateDir, 'tokens');
}

/** Seconds this token stays valid from now. */
export const secondsLeft = (token: UserToken, now = Date.now()): number => token.expiresAt - now / 1000;

/**
 * How long a token must still be valid to be used: the configured margin, but never more than
 * half the token's own lifetime. A margin close to the lifetime (120 s against 126 s tokens)
 * would otherwise call a token just issued "near expiry" a few seconds later, and every worker
 * would refresh it again; capped, each token serves at least half its life before it is replaced.
 */
export function reuseThreshold(token: UserToken, marginS: number): number {
  const lifetime = token.issuedAt === undefined ? Number.NaN : token.expiresAt - token.issuedAt;
  return lifetime > 0 ? Math.min(marginS, lifetime / 2) : marginS;
}

/**
 * Get a verified token for one user: the cached one while it stays valid past the margin,
 * else a refreshed one, else a new one from test-auth. Every token is registered as a secret.
 */
export async function obtainToken(
  config: HarnessConfig,
  keys: KeySet,
  cache: TokenCache,
  secrets: SecretRegistry,
  email: string,
): Promise<UserToken> {
  const cached = cache.read(config.authUrl, email);
  if (cached) {
    secrets.add('access-token', cached.accessToken);
    secrets.add('refresh-token', cached.refreshToken);
    if (secondsLeft(cached) > reuseThreshold(cached, config.tokenMinValidityS)) {
      try {
        await verifyToken(config, keys, cached.accessToken, { email, userId: cached.userId });
        return cached;
      } catch {
        // A cached token that no longer verifies (keys rotated away) is simply replaced.
      }
    }
  }
  let body: TokenBody | undefined;
  let source: UserToken['source'] = 'refresh';
  if (cached) body = await refreshToken(config, cached.refreshToken, keys.refreshField);
  if (!body) {
    body = await requestTestToken(config, email, {}, keys);
    source = 'test-auth';
  }
  secrets.add('access-token', body.access_token);
  secrets.add('refresh-token', body.refresh_token);
  const claims = await verifyToken(config, keys, body.access_token, { email, userId: body.user?.id });
  const token: UserToken = {
    email,
    userId: claims.sub,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: claims.exp,
    issuedAt: typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000),
    source,
  };
  cache.write(config.authUrl, token);
  return token;
}
