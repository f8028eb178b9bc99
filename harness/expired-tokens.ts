/**
 * Genuinely expired access tokens, for the auth spec's expired-token case on a deployment whose
 * test-auth ignores `expires_in`: an access token the harness obtained in an earlier run, signed
 * by the auth service, that has since expired. Kept beside the token cache, one 0600 file per
 * auth service and user: the newest token already expired, and the few retired ones that have
 * not expired yet (they will, for a later run). Only access tokens: a refresh token outlives
 * its access token and would still be a way in.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HarnessConfig } from './config.ts';
import { type KeySet, verifyJwt } from './tokens.ts';

export interface RetiredToken {
  accessToken: string;
  /** Epoch seconds, from the verified `exp` claim. */
  expiresAt: number;
}

/** Retired tokens not yet expired that are kept: a run retires at most one or two per user. */
const PENDING_KEPT = 3;

/** The newest token expired by `nowMs`, and the newest few not expired yet. */
export function pruneRetired(tokens: RetiredToken[], nowMs: number): RetiredToken[] {
  const unique = [...new Map(tokens.map((token) => [token.accessToken, token])).values()];
  const newestFirst = unique.sort((a, b) => b.expiresAt - a.expiresAt);
  const expired = newestFirst.filter((token) => token.expiresAt * 1000 <= nowMs);
  const pending = newestFirst.filter((token) => token.expiresAt * 1000 > nowMs);
  return [...pending.slice(0, PENDING_KEPT), ...expired.slice(0, 1)];
}

export class ExpiredTokenStore {
  constructor(private readonly dir: string) {}

  private file(authUrl: string, email: string): string {
    const id = createHash('sha256').update(`expired\n${authUrl}\n${email}`).digest('hex').slice(0, 24);
    return path.join(this.dir, `${id}.expired.json`);
  }

  private list(authUrl: string, email: string): RetiredToken[] {
    const file = this.file(authUrl, email);
    if (!existsSync(file)) return [];
    try {
      const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(value)
        ? value.filter(
            (item): item is RetiredToken =>
              typeof item?.accessToken === 'string' && typeof item?.expiresAt === 'number',
          )
        : [];
    } catch {
      return [];
    }
  }

  /** Keep an access token the token cache no longer holds. */
  retire(authUrl: string, email: string, token: RetiredToken, nowMs = Date.now()): void {
    const kept = pruneRetired([...this.list(authUrl, email), token], nowMs).map(
      ({ accessToken, expiresAt }) => ({ accessToken, expiresAt }),
    );
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(authUrl, email);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(kept), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  }

  /** The newest kept token that has expired by `nowMs`. */
  newestExpired(authUrl: string, email: string, nowMs = Date.now()): RetiredToken | undefined {
    return this.list(authUrl, email)
      .filter((token) => token.expiresAt * 1000 <= nowMs)
      .sort((a, b) => b.expiresAt - a.expiresAt)[0];
  }
}

/**
 * Does `token` verify against the JWKS as it stood just before it expired, and is it this
 * user's? Then it is refused for its expiry alone, not for a key rotated away.
 */
export async function verifiesBeforeExpiry(
  config: HarnessConfig,
  keys: KeySet,
  token: RetiredToken,
  email: string,
): Promise<boolean> {
  try {
    const payload = await verifyJwt(config, keys, token.accessToken, new Date((token.expiresAt - 1) * 1000));
    return payload.email === email;
  } catch {
    return false;
  }
}
