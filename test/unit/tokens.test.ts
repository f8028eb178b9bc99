import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { CausedError } from '../../harness/causes.ts';
import { type HarnessConfig, loadConfig } from '../../harness/config.ts';
import { SecretRegistry } from '../../harness/secret-registry.ts';
import {
  obtainToken,
  remoteKeySet,
  requestTestToken,
  reuseThreshold,
  secondsLeft,
  type TokenBody,
  TokenCache,
  tokenCacheDir,
  type UserToken,
  verifyToken,
} from '../../harness/tokens.ts';
import { closedPort, type Stub, sendJson, serve } from './helpers/http.ts';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;

const BYPASS_KEY = 'unit-bypass-key-4f9a';
const ISSUER = 'unit-auth';
const AUDIENCE = 'golden-path';
const USERS: Record<string, string> = { 'alice@example.test': 'u-alice', 'bob@example.test': 'u-bob' };
const ALICE = 'alice@example.test';

/** How the stub auth service behaves; reset before each test. */
interface AuthBehaviour {
  /** Force test-auth to answer this status (403 production guard, 500, ...). */
  testAuthStatus?: number;
  /** 200 with a body that is not a token. */
  emptyBody?: boolean;
  /** Issue tokens for this email instead of the one asked for. */
  issueFor?: string;
  /** Key ids served in the JWKS, and the key id new tokens are signed with. */
  served: string[];
  signWith: string;
  /** Seconds from now until new tokens expire, and since they were issued (`iat`). */
  lifetimeS: number;
  issuedAgoS: number;
  refreshWorks: boolean;
}

const fresh = (): AuthBehaviour => ({
  served: ['k1'],
  signWith: 'k1',
  lifetimeS: 3_600,
  issuedAgoS: 5,
  refreshWorks: true,
});
let behaviour = fresh();
const calls = { testAuth: 0, refresh: 0, jwks: 0 };
const keys: Record<string, Key> = {};
const refreshTokens = new Map<string, string>();
let stub: Stub;

/** Sign an access token as the reference auth service would, with any claims overridden. */
async function sign(
  email: string,
  options: { kid?: string; key?: Key; expSeconds?: number; issuer?: string; sub?: string } = {},
): Promise<string> {
  const kid = options.kid ?? behaviour.signWith;
  const key = options.key ?? keys[kid];
  assert.ok(key, `no key ${kid}`);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(options.sub ?? USERS[email] ?? 'u-unknown')
    .setIssuedAt(now - behaviour.issuedAgoS)
    .setExpirationTime(options.expSeconds ?? now + behaviour.lifetimeS)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

async function tokenBody(email: string): Promise<TokenBody> {
  const refresh = `refresh-${randomUUID()}`;
  refreshTokens.set(refresh, email);
  return {
    access_token: await sign(email),
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: behaviour.lifetimeS,
    user: { id: USERS[email] ?? 'u-unknown', email },
  };
}

before(async () => {
  for (const kid of ['k1', 'k2', 'k-foreign'])
    keys[kid] = await generateKeyPair('ES256', { extractable: true });
  stub = await serve(async (request, response, body) => {
    try {
      if (request.url === '/.well-known/jwks.json') {
        calls.jwks += 1;
        const served = await Promise.all(
          behaviour.served.map(async (kid) => ({
            ...(await exportJWK((keys[kid] as Key).publicKey)),
            kid,
            alg: 'ES256',
            use: 'sig',
          })),
        );
        sendJson(response, 200, { keys: served });
      } else if (request.url === '/auth/e2e/test-auth' && request.method === 'POST') {
        calls.testAuth += 1;
        const { email } = JSON.parse(body) as { email: string };
        if (request.headers['x-e2e-bypass-key'] !== BYPASS_KEY) sendJson(response, 401, { error: 'bad key' });
        else if (behaviour.testAuthStatus) sendJson(response, behaviour.testAuthStatus, { error: 'forced' });
        else if (!USERS[email]) sendJson(response, 404, { error: 'no such user' });
        else if (behaviour.emptyBody) sendJson(response, 200, { ok: true });
        else sendJson(response, 200, await tokenBody(behaviour.issueFor ?? email));
      } else if (request.url === '/auth/refresh' && request.method === 'POST') {
        calls.refresh += 1;
        const email = refreshTokens.get((JSON.parse(body) as { refresh_token: string }).refresh_token);
        if (!behaviour.refreshWorks || !email) sendJson(response, 401, { error: 'invalid refresh token' });
        else sendJson(response, 200, await tokenBody(email));
      } else {
        sendJson(response, 404, { error: 'not found' });
      }
    } catch (error) {
      sendJson(response, 500, { error: String(error) });
    }
  });
});

const dirs: string[] = [];
after(async () => {
  await stub.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  behaviour = fresh();
  calls.testAuth = 0;
  calls.refresh = 0;
  calls.jwks = 0;
});

/** A config for the stub (its own state folder), as loadConfig makes it from E2E_* variables. */
function config(overrides: Record<string, string> = {}): HarnessConfig {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'gp-tokens-'));
  dirs.push(stateDir);
  return loadConfig({
    cwd: stateDir,
    env: {
      E2E_ENV: 'unit',
      E2E_AUTH_URL: stub.url,
      E2E_API_URL: 'http://127.0.0.1:9',
      E2E_FRONTEND_URL: 'http://127.0.0.1:9',
      E2E_BYPASS_KEY: BYPASS_KEY,
      E2E_USERS: Object.keys(USERS).join(','),
      E2E_JWT_ISSUER: ISSUER,
      E2E_JWT_AUDIENCE: AUDIENCE,
      E2E_PREFLIGHT_TIMEOUT_MS: '3000',
      ...overrides,
    },
  });
}

async function rejection(promise: Promise<unknown>, code: string, ...words: string[]): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CausedError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.startsWith(`[${code}] `));
    for (const word of words) assert.ok(error.message.includes(word), `"${word}" not in: ${error.message}`);
    return error.message;
  }
  assert.fail(`expected [${code}], but it succeeded`);
}

describe('requestTestToken: every refusal has its own code and message', () => {
  test('200: the token body for an existing user', async () => {
    const body = await requestTestToken(config(), ALICE);
    assert.equal(body.user.email, ALICE);
    assert.equal(body.user.id, 'u-alice');
    assert.equal(body.access_token.split('.').length, 3);
  });

  test('401: bypass key rejected, showing only its length', async () => {
    const wrong = 'wrong-key-value-123';
    const message = await rejection(
      requestTestToken(config({ E2E_BYPASS_KEY: wrong }), ALICE),
      'TOKEN_REJECTED',
      'bypass key rejected',
      'answered 401',
      `E2E_BYPASS_KEY (set, ${wrong.length} chars)`,
      'E2E_ENV=unit',
    );
    assert.ok(!message.includes(wrong) && !message.includes(BYPASS_KEY));
  });

  test('403: bypass forbidden in this environment', async () => {
    behaviour.testAuthStatus = 403;
    await rejection(requestTestToken(config(), ALICE), 'TOKEN_REJECTED', 'bypass forbidden', 'answered 403');
  });

  test('404: the user does not exist (nothing invents users)', async () => {
    await rejection(
      requestTestToken(config(), 'nobody@example.test'),
      'USER_UNKNOWN',
      'user nobody@example.test does not exist',
      'test-auth answered 404',
      'E2E_USERS',
    );
  });

  test('any other status: the auth service is unhealthy', async () => {
    behaviour.testAuthStatus = 502;
    await rejection(requestTestToken(config(), ALICE), 'SERVICE_UNHEALTHY', 'answered 502', '"forced"');
  });

  test('200 without a token body', async () => {
    behaviour.emptyBody = true;
    await rejection(requestTestToken(config(), ALICE), 'TOKEN_INVALID', 'answered 200 without a token body');
  });

  test('nothing listening: the auth service is unreachable', async () => {
    const port = await closedPort();
    await rejection(
      requestTestToken(config({ E2E_AUTH_URL: `http://127.0.0.1:${port}` }), ALICE),
      'SERVICE_UNREACHABLE',
      `POST http://127.0.0.1:${port}/auth/e2e/test-auth failed`,
      'ECONNREFUSED',
    );
  });
});

describe('verifyToken', () => {
  test("a good token gives its claims: sub is the user's id", async () => {
    const cfg = config();
    const payload = await verifyToken(cfg, remoteKeySet(cfg), await sign(ALICE), {
      email: ALICE,
      userId: 'u-alice',
    });
    assert.equal(payload.sub, 'u-alice');
    assert.equal(payload.email, ALICE);
    assert.ok(payload.exp > Date.now() / 1000);
  });

  test('a token for another user → TOKEN_INVALID "wrong user"', async () => {
    const cfg = config();
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), await sign('bob@example.test'), { email: ALICE }),
      'TOKEN_INVALID',
      'token for the wrong user: asked for alice@example.test, got email bob@example.test sub u-bob',
    );
  });

  test("this user's email with someone else's sub → TOKEN_INVALID", async () => {
    const cfg = config();
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), await sign(ALICE, { sub: 'u-bob' }), {
        email: ALICE,
        userId: 'u-alice',
      }),
      'TOKEN_INVALID',
      'wrong user',
      '(u-alice)',
      'sub u-bob',
    );
  });

  test('signed by a key whose kid is not in the JWKS → TOKEN_INVALID naming the JWKS', async () => {
    const cfg = config();
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), await sign(ALICE, { kid: 'k-foreign' }), { email: ALICE }),
      'TOKEN_INVALID',
      `cannot be verified against ${stub.url}/.well-known/jwks.json`,
      'no key in the JWKS matches its kid/alg (JWKS key mismatch)',
    );
  });

  test('signed by a foreign key under a served kid → TOKEN_INVALID, signature mismatch', async () => {
    const cfg = config();
    const forged = await sign(ALICE, { kid: 'k1', key: keys['k-foreign'] });
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), forged, { email: ALICE }),
      'TOKEN_INVALID',
      'signature does not verify against the JWKS key',
      '.well-known/jwks.json',
    );
  });

  test('expired → TOKEN_INVALID', async () => {
    const cfg = config();
    const expired = await sign(ALICE, { expSeconds: Math.floor(Date.now() / 1000) - 60 });
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), expired, { email: ALICE }),
      'TOKEN_INVALID',
      'it has expired',
    );
  });

  test('issuer and audience are checked when configured', async () => {
    const strict = config({ E2E_JWT_AUDIENCE: 'another-app' });
    await rejection(
      verifyToken(strict, remoteKeySet(strict), await sign(ALICE), { email: ALICE }),
      'TOKEN_INVALID',
      'claim aud check failed',
      'E2E_JWT_AUDIENCE',
    );
    const cfg = config();
    await rejection(
      verifyToken(cfg, remoteKeySet(cfg), await sign(ALICE, { issuer: 'someone-else' }), { email: ALICE }),
      'TOKEN_INVALID',
      'claim iss check failed',
    );
  });

  test('a hand-signed HS256 token (the seeds’ fallback) is refused', async () => {
    const cfg = config();
    const handMade = await new SignJWT({ email: ALICE })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('u-alice')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-shared-secret-of-sufficient-length!!'));
    await rejection(verifyToken(cfg, remoteKeySet(cfg), handMade, { email: ALICE }), 'TOKEN_INVALID');
    await rejection(verifyToken(cfg, remoteKeySet(cfg), 'not.a.jwt', { email: ALICE }), 'TOKEN_INVALID');
  });
});

describe('obtainToken and TokenCache', () => {
  const cacheFiles = (cfg: HarnessConfig) => {
    const dir = tokenCacheDir(cfg);
    return existsSync(dir) ? readdirSync(dir).map((name) => path.join(dir, name)) : [];
  };

  test('a new token comes from test-auth, is registered as a secret and cached 0600', async () => {
    const cfg = config();
    const secrets = new SecretRegistry();
    const token = await obtainToken(
      cfg,
      remoteKeySet(cfg),
      new TokenCache(tokenCacheDir(cfg)),
      secrets,
      ALICE,
    );
    assert.equal(token.source, 'test-auth');
    assert.equal(token.userId, 'u-alice');
    assert.equal(calls.testAuth, 1);
    assert.deepEqual(
      secrets
        .list()
        .map((secret) => secret.value)
        .sort(),
      [token.accessToken, token.refreshToken].sort(),
    );
    const files = cacheFiles(cfg);
    assert.equal(files.length, 1);
    const file = files[0] as string;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(tokenCacheDir(cfg)).mode & 0o077, 0, 'the cache folder is private');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string; expiresAt: number };
    assert.equal(cached.accessToken, token.accessToken);
    assert.equal(cached.expiresAt, token.expiresAt);
  });

  test('a later run reuses the cached token: no second test-auth call', async () => {
    const cfg = config();
    const first = await obtainToken(
      cfg,
      remoteKeySet(cfg),
      new TokenCache(tokenCacheDir(cfg)),
      new SecretRegistry(),
      ALICE,
    );
    const secrets = new SecretRegistry();
    const again = await obtainToken(
      cfg,
      remoteKeySet(cfg),
      new TokenCache(tokenCacheDir(cfg)),
      secrets,
      ALICE,
    );
    assert.equal(again.source, 'cache');
    assert.equal(again.accessToken, first.accessToken);
    assert.equal(calls.testAuth, 1);
    assert.equal(calls.refresh, 0);
    assert.equal(secrets.list().length, 2, 'a cached token is still masked');
  });

  test('each user has their own cache entry', async () => {
    const cfg = config();
    const cache = new TokenCache(tokenCacheDir(cfg));
    const alice = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    const bob = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), 'bob@example.test');
    assert.equal(bob.userId, 'u-bob');
    assert.notEqual(alice.accessToken, bob.accessToken);
    assert.equal(cacheFiles(cfg).length, 2);
    assert.equal(cache.read(cfg.authUrl, ALICE)?.accessToken, alice.accessToken);
  });

  test('a token near expiry is refreshed, not fetched anew', async () => {
    behaviour.lifetimeS = 60;
    behaviour.issuedAgoS = 3_540;
    const cfg = config({ E2E_TOKEN_MIN_VALIDITY_S: '120' });
    const cache = new TokenCache(tokenCacheDir(cfg));
    const first = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    const secrets = new SecretRegistry();
    const refreshed = await obtainToken(cfg, remoteKeySet(cfg), cache, secrets, ALICE);
    assert.equal(refreshed.source, 'refresh');
    assert.notEqual(refreshed.accessToken, first.accessToken);
    assert.equal(calls.testAuth, 1);
    assert.equal(calls.refresh, 1);
    assert.equal(cache.read(cfg.authUrl, ALICE)?.accessToken, refreshed.accessToken);
    assert.ok(secrets.list().some((secret) => secret.value === refreshed.accessToken));
  });

  test('when refresh is refused, a new token comes from test-auth', async () => {
    behaviour.lifetimeS = 60;
    behaviour.issuedAgoS = 3_540;
    const cfg = config({ E2E_TOKEN_MIN_VALIDITY_S: '120' });
    const cache = new TokenCache(tokenCacheDir(cfg));
    await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    behaviour.refreshWorks = false;
    const token = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    assert.equal(token.source, 'test-auth');
    assert.equal(calls.refresh, 1);
    assert.equal(calls.testAuth, 2);
  });

  test('a cached token whose key left the JWKS (rotation) is replaced', async () => {
    const cfg = config();
    const cache = new TokenCache(tokenCacheDir(cfg));
    const first = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    behaviour.served = ['k2'];
    behaviour.signWith = 'k2';
    const token = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    assert.equal(token.source, 'refresh');
    assert.notEqual(token.accessToken, first.accessToken);
    assert.equal(calls.testAuth, 1);
  });

  test('a wrong-user token fails TOKEN_INVALID and is never cached', async () => {
    behaviour.issueFor = 'bob@example.test';
    const cfg = config();
    const secrets = new SecretRegistry();
    await rejection(
      obtainToken(cfg, remoteKeySet(cfg), new TokenCache(tokenCacheDir(cfg)), secrets, ALICE),
      'TOKEN_INVALID',
      'wrong user',
      'got email bob@example.test',
    );
    assert.deepEqual(cacheFiles(cfg), []);
    assert.equal(secrets.list().length, 2, 'the refused token is still masked');
  });

  test('a token signed outside the JWKS fails TOKEN_INVALID and is never cached', async () => {
    behaviour.signWith = 'k-foreign';
    const cfg = config();
    await rejection(
      obtainToken(cfg, remoteKeySet(cfg), new TokenCache(tokenCacheDir(cfg)), new SecretRegistry(), ALICE),
      'TOKEN_INVALID',
      'JWKS key mismatch',
    );
    assert.deepEqual(cacheFiles(cfg), []);
  });

  test('an unknown user fails USER_UNKNOWN with no token request retried', async () => {
    const cfg = config();
    await rejection(
      obtainToken(
        cfg,
        remoteKeySet(cfg),
        new TokenCache(tokenCacheDir(cfg)),
        new SecretRegistry(),
        'x@example.test',
      ),
      'USER_UNKNOWN',
    );
    assert.equal(calls.testAuth, 1);
    assert.deepEqual(cacheFiles(cfg), []);
  });

  test('a corrupt cache file is ignored', async () => {
    const cfg = config();
    const cache = new TokenCache(tokenCacheDir(cfg));
    await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    const file = cacheFiles(cfg)[0] as string;
    writeFileSync(file, '{"accessToken": "trunc');
    assert.equal(cache.read(cfg.authUrl, ALICE), undefined);
    const token = await obtainToken(cfg, remoteKeySet(cfg), cache, new SecretRegistry(), ALICE);
    assert.equal(token.source, 'test-auth');
  });
});

describe('one refresh per user per token lifetime', () => {
  const token = (issuedAt: number | undefined, expiresAt: number): UserToken => ({
    email: ALICE,
    userId: 'u-alice',
    accessToken: 'access',
    refreshToken: 'refresh',
    expiresAt,
    ...(issuedAt === undefined ? {} : { issuedAt }),
    source: 'cache',
  });

  test('the margin is capped at half of the token lifetime', () => {
    assert.equal(reuseThreshold(token(1_000, 1_126), 120), 63);
    assert.equal(reuseThreshold(token(1_000, 1_900), 120), 120);
    assert.equal(reuseThreshold(token(1_000, 1_006), 3), 3);
    assert.equal(reuseThreshold(token(1_000, 1_126), 0), 0);
    // A token cached without its issue time keeps the configured margin.
    assert.equal(reuseThreshold(token(undefined, 1_126), 120), 120);
  });

  test('126 s tokens, 120 s margin: a run 7 s after another refreshes nothing, then once per lifetime', async () => {
    behaviour.lifetimeS = 126;
    behaviour.issuedAgoS = 0;
    const cfg = config();
    assert.equal(cfg.tokenMinValidityS, 120);
    const cache = new TokenCache(tokenCacheDir(cfg));
    const keySet = remoteKeySet(cfg);
    const start = Date.now();
    const handedOut: { at: number; left: number; source: string }[] = [];
    // The clock moves only when told: each call is global setup or a worker signing in at `at` s.
    mock.timers.enable({ apis: ['Date'], now: start });
    try {
      const signInAt = async (at: number) => {
        mock.timers.setTime(start + at * 1_000);
        const got = await obtainToken(cfg, keySet, cache, new SecretRegistry(), ALICE);
        handedOut.push({ at, left: secondsLeft(got), source: got.source });
      };
      const run = async (from: number) => {
        for (let at = from; at <= from + 20; at += 2) await signInAt(at);
      };
      await run(0);
      await run(27);
      assert.equal(calls.testAuth, 1);
      assert.equal(calls.refresh, 0, 'a token with more than half its life left was refreshed');
      for (let at = 49; at < 126; at += 2) await signInAt(at);
      assert.equal(calls.refresh, 1, 'one refresh within the first token lifetime');
      for (let at = 127; at < 252; at += 2) await signInAt(at);
    } finally {
      mock.timers.reset();
    }
    assert.equal(calls.testAuth, 1, 'a refresh fell back to test-auth');
    const refreshedAt = handedOut.filter((entry) => entry.source === 'refresh').map((entry) => entry.at);
    assert.deepEqual(
      refreshedAt,
      [63, 127, 191],
      'each token served half its lifetime, then was replaced once',
    );
    const short = handedOut.filter((entry) => entry.left < 63);
    assert.deepEqual(short, [], 'a token with less than half its lifetime left was handed out');
  });
});
