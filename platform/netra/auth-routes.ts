/**
 * The netra auth service's own routes (docs/netra.md §1, §2): HS256 tokens with netra's claims,
 * test-auth taking `{email, name, permissions, simulate_oauth}` and minting for any email,
 * refresh by `refresh_token` (or `refreshToken`, `token`), `/health` without a database status.
 */
import type { PlatformConfig } from '../config.ts';
import { readJsonObject } from '../http-util.ts';
import { requestedTtl } from '../requested-ttl.ts';
import { secretEquals } from '../secrets.ts';
import type { AuthContext, Handler } from '../service-dialect.ts';
import type { TokenIssuerOptions } from '../token-issuer.ts';
import { normaliseEmail } from '../users.ts';

export const NETRA_ISSUER = 'netra-auth-service';
export const NETRA_AUDIENCE = 'netra-platform';
const VERSION = '1.0.0';
const DEFAULT_EMAIL = 'e2e-user@example.test';
const DEFAULT_PERMISSIONS = ['read', 'write'];
/** `PLATFORM_BYPASS_KEY=none`: the service has no bypass key, so test-auth answers 503. */
export const NO_BYPASS_KEY = 'none';
const startedAt = Date.now();

/** `e2e-` and the part of the email before `@`. */
export function netraUserId(email: string): string {
  return `e2e-${normaliseEmail(email).split('@')[0]}`;
}

export function netraSecret(config: PlatformConfig, foreign = false): Uint8Array {
  return new TextEncoder().encode(foreign ? `${config.jwtSecret}-foreign` : config.jwtSecret);
}

export function netraIssuer(config: PlatformConfig): TokenIssuerOptions {
  return {
    keys: {
      alg: 'HS256',
      current: { privateKey: netraSecret(config) },
      // foreign-signing-key: another secret, so the backend's signature check fails.
      foreign: { privateKey: netraSecret(config, true) },
    },
    issuer: NETRA_ISSUER,
    audience: NETRA_AUDIENCE,
    claims: () => ({ token_type: 'access', permissions: DEFAULT_PERMISSIONS, env: config.environment }),
  };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

export function netraAuthRoutes(context: AuthContext): Record<string, Handler> {
  const { config, issuer, stats, json, noteIssued } = context;
  const foreign = () => config.fault === 'foreign-signing-key';

  const health: Handler = async (_req, res) => {
    json(res, 200, {
      status: 'healthy',
      service: 'auth-service',
      version: VERSION,
      timestamp: new Date().toISOString(),
      uptime_seconds: (Date.now() - startedAt) / 1000,
    });
  };

  // The older `/auth/health` does carry a database status.
  const authHealth: Handler = async (_req, res) => {
    const disconnected = config.fault === 'auth-db-disconnected';
    json(res, 200, {
      status: disconnected ? 'unhealthy' : 'healthy',
      service: 'auth-service',
      version: VERSION,
      timestamp: new Date().toISOString(),
      database_status: disconnected ? 'disconnected' : 'connected',
    });
  };

  const testAuth: Handler = async (req, res) => {
    stats.test_auth += 1;
    if (config.environment === 'production')
      return json(res, 403, { detail: 'E2E auth disabled in production' });
    const key = req.headers['x-e2e-bypass-key'];
    if (typeof key !== 'string' || key === '') return json(res, 401, { detail: 'E2E bypass key required' });
    if (config.bypassKey === NO_BYPASS_KEY)
      return json(res, 503, { detail: 'E2E authentication not configured' });
    if (config.fault === 'bypass-key-rejected' || !secretEquals(key, config.bypassKey))
      return json(res, 401, { detail: 'Invalid E2E bypass key' });
    const body = await readJsonObject(req);
    const email =
      typeof body.email === 'string' && body.email.trim() !== '' ? normaliseEmail(body.email) : DEFAULT_EMAIL;
    stats.test_auth_by_email[email] = (stats.test_auth_by_email[email] ?? 0) + 1;
    // netra mints for any email; the fault still stands for a service that has lost its users.
    if (config.fault === 'user-missing') return json(res, 404, { detail: 'User not found' });
    const ttl = requestedTtl(body.expires_in, config.tokenTtlS);
    if ('error' in ttl) return json(res, 422, { detail: ttl.error });
    const user = { id: netraUserId(email), email };
    const name = typeof body.name === 'string' ? body.name : email.split('@')[0];
    const permissions = stringList(body.permissions) ?? DEFAULT_PERMISSIONS;
    const tokens = await issuer.issue(user, { ttlS: ttl.ttlS, foreign: foreign() });
    json(res, 200, {
      ...tokens,
      user: { id: user.id, email, name, permissions, oauth_simulated: body.simulate_oauth !== false },
    });
    noteIssued('test_auth');
  };

  const refresh: Handler = async (req, res) => {
    stats.refresh += 1;
    const body = await readJsonObject(req);
    const field = ['refresh_token', 'refreshToken', 'token'].find((name) => typeof body[name] === 'string');
    const token = field === undefined ? '' : String(body[field]);
    if (token === '') return json(res, 422, { detail: 'refresh_token is required' });
    const user = issuer.redeemRefresh(token);
    if (user === undefined) return json(res, 401, { detail: 'Invalid refresh token' });
    const { user: _user, ...tokens } = await issuer.issue(user, {
      ttlS: config.tokenTtlS,
      foreign: foreign(),
    });
    json(res, 200, tokens);
    noteIssued('refresh');
  };

  return {
    'GET /health': health,
    'GET /auth/health': authHealth,
    'POST /auth/e2e/test-auth': testAuth,
    'POST /auth/refresh': refresh,
  };
}
