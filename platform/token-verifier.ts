/**
 * Verifies access tokens against the auth service's JWKS, fetched over HTTP: signature (key
 * chosen by kid), exp with no clock tolerance, iss and aud.
 */
import { rootCertificates } from 'node:tls';
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { underBase } from './http-util.ts';

export interface VerifiedUser {
  userId: string;
  email: string | undefined;
}

export type Verification =
  | { ok: true; user: VerifiedUser }
  /** status: 401 for a bad token, 503 when the auth service's keys cannot be fetched. */
  | { ok: false; status: 401 | 503; detail: string };

export interface TokenVerifierOptions {
  authUrl: string;
  issuer: string;
  audience: string;
  /** PEM of the CA the auth service's certificate chains to, when it is not a public one. */
  ca?: string;
}

export type TokenVerifier = (token: string) => Promise<Verification>;

export function reasonFor(err: errors.JOSEError): string {
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid token signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'unknown signing key';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `invalid token claim: ${(err as errors.JWTClaimValidationFailed).claim}`;
    default:
      return 'invalid token';
  }
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwksUrl = new URL(underBase(options.authUrl, '.well-known/jwks.json'));
  const agent = options.ca ? new Agent({ connect: { ca: [...rootCertificates, options.ca] } }) : undefined;
  // A short cooldown lets a restarted auth service (new keys) be picked up quickly.
  const jwks = createRemoteJWKSet(jwksUrl, {
    cooldownDuration: 1000,
    cacheMaxAge: 60_000,
    timeoutDuration: 5000,
    ...(agent
      ? {
          [customFetch]: (async (url: string, init: RequestInit) =>
            undiciFetch(url, { ...(init as object), dispatcher: agent })) as never,
        }
      : {}),
  });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256', 'RS256'],
        clockTolerance: 0,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const sub = payload.sub;
      if (typeof sub !== 'string' || sub === '')
        return { ok: false, status: 401, detail: 'invalid token claim: sub' };
      const email = typeof payload.email === 'string' ? payload.email : undefined;
      return { ok: true, user: { userId: sub, email } };
    } catch (err) {
      // JWKS timeout, a malformed JWKS, or a non-200 JWKS answer (ERR_JOSE_GENERIC).
      if (
        err instanceof errors.JWKSTimeout ||
        err instanceof errors.JWKSInvalid ||
        (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
      ) {
        return { ok: false, status: 503, detail: 'auth service unavailable' };
      }
      if (err instanceof errors.JOSEError) return { ok: false, status: 401, detail: reasonFor(err) };
      // fetch failed (connection refused, DNS, ...): the keys could not be had.
      return { ok: false, status: 503, detail: 'auth service unavailable' };
    }
  };
}
