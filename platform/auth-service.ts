/** The auth service: health, e2e bypass tokens, login, refresh, JWKS, and reference-only stats. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { BodyError, pathOf, readJsonObject, type ServiceHandlers, sendJson } from './http-util.ts';
import { createLogger } from './log.ts';
import { requestedTtl } from './requested-ttl.ts';
import { secretEquals } from './secrets.ts';
import { authDialect } from './service-dialect.ts';
import { createSigningKeys } from './signing-keys.ts';
import { TokenIssuer } from './token-issuer.ts';
import { createUserDirectory, normaliseEmail } from './users.ts';

const VERSION = '1.0.0';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

const INVALID_CREDENTIALS = { detail: 'Invalid email or password' };

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The auth service's handlers; `url` is where it is served (for the log). */
export async function createAuthService(config: PlatformConfig, url: string): Promise<ServiceHandlers> {
  const log = createLogger('auth');
  const dialect = authDialect(config);
  const users = createUserDirectory(config.users, dialect.userIdFor);
  const keys = await createSigningKeys(config.jwt.alg);
  const issuer = new TokenIssuer(
    dialect.issuer ?? { keys, issuer: config.jwt.issuer, audience: config.jwt.audience },
  );
  // Read per request: the fault can be switched at run time.
  const foreign = () => config.fault === 'foreign-signing-key';
  const stats = { test_auth: 0, login: 0, refresh: 0, test_auth_by_email: {} as Record<string, number> };
  const issued = { test_auth: 0, login: 0, refresh: 0 };

  const json = (res: ServerResponse, status: number, body: unknown) => sendJson(res, status, body, CORS);

  const noteIssued = (route: keyof typeof issued) => {
    issued[route] += 1;
    log(`issued access token via ${route} (${issued[route]} so far)`);
  };

  const health: Handler = async (_req, res) => {
    json(res, 200, {
      status: 'healthy',
      service: 'auth-service',
      version: VERSION,
      database_status: config.fault === 'auth-db-disconnected' ? 'disconnected' : 'connected',
      environment: config.environment,
    });
  };

  const testAuth: Handler = async (req, res) => {
    stats.test_auth += 1;
    const body = await readJsonObject(req);
    const email = typeof body.email === 'string' ? normaliseEmail(body.email) : '';
    if (email !== '') stats.test_auth_by_email[email] = (stats.test_auth_by_email[email] ?? 0) + 1;

    if (config.environment === 'production') {
      json(res, 403, { detail: 'test authentication is disabled in production' });
      return;
    }
    const key = req.headers['x-e2e-bypass-key'];
    if (
      typeof key !== 'string' ||
      key === '' ||
      config.fault === 'bypass-key-rejected' ||
      !secretEquals(key, config.bypassKey)
    ) {
      json(res, 401, { detail: 'Invalid or missing bypass key' });
      return;
    }
    if (email === '') {
      json(res, 400, { detail: 'email is required' });
      return;
    }
    const user = config.fault === 'user-missing' ? undefined : users.find(email);
    if (user === undefined) {
      json(res, 404, { detail: 'User not found' });
      return;
    }
    const ttl = requestedTtl(body.expires_in, config.tokenTtlS);
    if ('error' in ttl) {
      json(res, 400, { detail: ttl.error });
      return;
    }
    const { ttlS } = ttl;
    json(res, 200, await issuer.issue(user, { ttlS, foreign: foreign() }));
    noteIssued('test_auth');
  };

  const login: Handler = async (req, res) => {
    stats.login += 1;
    const body = await readJsonObject(req);
    const email = typeof body.email === 'string' ? body.email : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const user = users.find(email);
    const passwordOk = secretEquals(password, config.userPassword);
    if (config.fault === 'login-rejects-password' || user === undefined || !passwordOk) {
      json(res, 401, INVALID_CREDENTIALS);
      return;
    }
    json(res, 200, await issuer.issue(user, { ttlS: config.tokenTtlS, foreign: foreign() }));
    noteIssued('login');
  };

  const refresh: Handler = async (req, res) => {
    stats.refresh += 1;
    const body = await readJsonObject(req);
    const token = typeof body.refresh_token === 'string' ? body.refresh_token : '';
    const user = token === '' ? undefined : issuer.redeemRefresh(token);
    if (user === undefined) {
      json(res, 401, { detail: 'Invalid or expired refresh token' });
      return;
    }
    json(res, 200, await issuer.issue(user, { ttlS: config.tokenTtlS, foreign: foreign() }));
    noteIssued('refresh');
  };

  const jwks: Handler = async (_req, res) => {
    if (config.fault === 'jwks-500') {
      json(res, 500, { detail: 'Internal Server Error' });
      return;
    }
    sendJson(res, 200, keys.jwks, { ...CORS, 'cache-control': 'public, max-age=60' });
  };

  const platformStats: Handler = async (_req, res) => {
    json(res, 200, { ...stats, tokens_issued: { ...issued } });
  };

  // Reference-only: every token issued, for the secret-scan self-test. Never on a real service.
  const issuedTokens: Handler = async (_req, res) => {
    json(res, 200, issuer.issuedTokens);
  };

  const routes: Record<string, Handler> = {
    'GET /health': health,
    'POST /auth/e2e/test-auth': testAuth,
    'POST /auth/login': login,
    'POST /auth/refresh': refresh,
    'GET /.well-known/jwks.json': jwks,
    'GET /__platform/stats': platformStats,
    'GET /__platform/issued-tokens': issuedTokens,
  };
  dialect.adaptRoutes?.(routes, { config, issuer, users, stats, json, noteIssued });

  const request = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    const handler = routes[`${req.method} ${path}`];
    if (handler === undefined) {
      const known = Object.keys(routes).some((route) => route.endsWith(` ${path}`));
      json(res, known ? 405 : 404, { detail: known ? 'Method Not Allowed' : 'Not Found' });
      return;
    }
    handler(req, res).catch((err: unknown) => {
      if (err instanceof BodyError) {
        json(res, err.status, { detail: err.message });
        return;
      }
      log(`error on ${req.method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) json(res, 500, { detail: 'Internal Server Error' });
    });
  };

  log(
    `auth service listening on ${url} (environment ${config.environment}, ${config.jwt.alg}, ${users.all().length} users)`,
  );
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  return { request };
}
