import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { HarnessConfig } from '../../harness/config.ts';
import { ExpiredTokenStore, pruneRetired, verifiesBeforeExpiry } from '../../harness/expired-tokens.ts';
import { type KeySet, TokenCache, type UserToken } from '../../harness/tokens.ts';

const AUTH = 'http://auth.test';
const ALICE = 'alice@example.test';
const NOW_S = 2_000_000_000;
const retired = (name: string, expiresAt: number) => ({ accessToken: name, expiresAt });

const cached = (accessToken: string, expiresAt: number): UserToken => ({
  email: ALICE,
  userId: 'u-alice',
  accessToken,
  refreshToken: `refresh-of-${accessToken}`,
  expiresAt,
  source: 'test-auth',
});

describe('expired tokens kept from earlier runs', () => {
  test('the newest expired token is kept, and a few not yet expired', () => {
    const kept = pruneRetired(
      [
        retired('old', NOW_S - 500),
        retired('newest-expired', NOW_S - 10),
        retired('p1', NOW_S + 10),
        retired('p2', NOW_S + 20),
        retired('p3', NOW_S + 30),
        retired('p4', NOW_S + 40),
        retired('p4', NOW_S + 40),
      ],
      NOW_S * 1000,
    );
    assert.deepEqual(
      kept.map((token) => token.accessToken),
      ['p4', 'p3', 'p2', 'newest-expired'],
    );
  });

  test('a token the cache replaces is kept (0600, without its refresh token) and offered once expired', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-path-expired-'));
    const cache = new TokenCache(dir);
    cache.write(AUTH, cached('first', NOW_S + 60));
    cache.write(AUTH, cached('first', NOW_S + 60));
    const store = new ExpiredTokenStore(dir);
    assert.equal(store.newestExpired(AUTH, ALICE, (NOW_S + 3600) * 1000), undefined, 'nothing replaced yet');
    cache.write(AUTH, cached('second', NOW_S + 900));
    assert.equal(store.newestExpired(AUTH, ALICE, NOW_S * 1000), undefined, 'not expired yet');
    assert.deepEqual(store.newestExpired(AUTH, ALICE, (NOW_S + 61) * 1000), retired('first', NOW_S + 60));
    assert.equal(store.newestExpired('http://other-auth.test', ALICE, (NOW_S + 61) * 1000), undefined);

    const kept = readdirSync(dir).filter((name) => name.endsWith('.expired.json'));
    assert.equal(kept.length, 1);
    const file = path.join(dir, kept[0] as string);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!readFileSync(file, 'utf8').includes('refresh'), 'no refresh token is ever kept');
  });

  test('an expired token is used only if it verifies as of its expiry, for this user', async () => {
    const key = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256' }] };
    const keys: KeySet = {
      verification: 'jwks',
      jwks: createLocalJWKSet(jwks) as unknown as NonNullable<KeySet['jwks']>,
      testAuthBody: (email) => ({ email }),
      refreshField: 'refresh_token',
    };
    const config = { jwtIssuer: 'unit-auth', jwtAudience: undefined } as unknown as HarnessConfig;
    const expiresAt = Math.floor(Date.now() / 1000) - 60;
    const sign = (signer: CryptoKey, email = ALICE, issuer = 'unit-auth') =>
      new SignJWT({ email })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('u-alice')
        .setIssuer(issuer)
        .setIssuedAt(expiresAt - 900)
        .setExpirationTime(expiresAt)
        .sign(signer);
    const verifies = async (token: string) =>
      verifiesBeforeExpiry(config, keys, { accessToken: token, expiresAt }, ALICE);
    assert.equal(await verifies(await sign(key.privateKey)), true);
    assert.equal(await verifies(await sign(other.privateKey)), false, 'its key is gone from the JWKS');
    assert.equal(await verifies(await sign(key.privateKey, 'bob@example.test')), false, "another user's");
    assert.equal(await verifies(await sign(key.privateKey, ALICE, 'elsewhere')), false, 'wrong issuer');
  });
});
