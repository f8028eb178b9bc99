/**
 * The `ws-accepts-*` faults: the `/ws` upgrade lets exactly one kind of bad credential through
 * (every other kind is still refused) and authenticates the socket as whoever the token's
 * claims name, read without verification, as a backend that skips a check would.
 */
import { decodeJwt } from 'jose';
import type { FaultName } from './faults.ts';
import type { VerifiedUser } from './token-verifier.ts';

export const ANONYMOUS_USER_ID = 'usr_anonymous';

type CredentialKind = 'no-token' | 'garbage-token' | 'expired-token' | 'foreign-key';

function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** What kind of bad credential a refused token is; undefined for kinds no fault lets through. */
function kindOf(token: string | undefined, refusal: string): CredentialKind | undefined {
  if (token === undefined) return 'no-token';
  if (claimsOf(token) === undefined) return 'garbage-token';
  if (refusal === 'token expired') return 'expired-token';
  if (refusal === 'invalid token signature' || refusal === 'unknown signing key') return 'foreign-key';
  return undefined;
}

/**
 * The user a refused credential is accepted as under the active fault, or undefined when it
 * stays refused. `refusal` is the verifier's detail (empty for a missing token).
 */
export function laxUser(
  fault: FaultName | undefined,
  token: string | undefined,
  refusal: string,
): VerifiedUser | undefined {
  const kind = kindOf(token, refusal);
  if (kind === undefined || fault !== `ws-accepts-${kind}`) return undefined;
  const claims = token === undefined ? undefined : claimsOf(token);
  const sub = claims?.sub;
  return {
    userId: typeof sub === 'string' && sub !== '' ? sub : ANONYMOUS_USER_ID,
    email: typeof claims?.email === 'string' ? claims.email : undefined,
  };
}
