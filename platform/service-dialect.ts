/**
 * The one place PLATFORM_DIALECT is read: what each service does differently when it speaks
 * the `netra` dialect (docs/netra.md). The contract dialect is the services' own behaviour, so
 * its hooks are all absent; netra's live in `netra/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { netraAuthRoutes, netraIssuer, netraUserId } from './netra/auth-routes.ts';
import { netraBackendHealth } from './netra/health.ts';
import { NETRA_PAGES } from './netra/pages.ts';
import { netraSocket } from './netra/socket.ts';
import type { SocketDialect } from './socket-dialect.ts';
import type { TokenIssuer, TokenIssuerOptions } from './token-issuer.ts';
import type { TokenVerifier } from './token-verifier.ts';
import type { UserDirectory } from './users.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What the auth service lends a dialect's routes. */
export interface AuthContext {
  config: PlatformConfig;
  issuer: TokenIssuer;
  users: UserDirectory;
  stats: { test_auth: number; refresh: number; test_auth_by_email: Record<string, number> };
  json: (res: ServerResponse, status: number, body: unknown) => void;
  noteIssued: (route: 'test_auth' | 'login' | 'refresh') => void;
}

export interface AuthDialect {
  userIdFor?: (email: string) => string;
  issuer?: TokenIssuerOptions;
  /** Replaces, adds or removes routes of the auth service. */
  adaptRoutes?: (routes: Record<string, Handler>, context: AuthContext) => void;
}

export function authDialect(config: PlatformConfig): AuthDialect {
  if (config.dialect === 'contract') return {};
  return {
    userIdFor: netraUserId,
    issuer: netraIssuer(config),
    adaptRoutes: (routes, context) => {
      Object.assign(routes, netraAuthRoutes(context));
      // HS256 with a shared secret: there is no key set to publish.
      Reflect.deleteProperty(routes, 'GET /.well-known/jwks.json');
    },
  };
}

export interface BackendDialect {
  userIdFor?: (email: string) => string;
  verifier?: TokenVerifier;
  /** The answer of `/health` and `/api/health` when healthy. */
  health?: (path: string) => { body: unknown };
  socket?: SocketDialect;
}

export function backendDialect(config: PlatformConfig): BackendDialect {
  if (config.dialect === 'contract') return {};
  const socket = netraSocket(config);
  return { userIdFor: netraUserId, verifier: socket.verify, health: netraBackendHealth, socket };
}

/** The frontend's pages (path → file under frontend/); undefined: the contract's own. */
export function frontendPages(
  config: PlatformConfig,
): Record<string, { file: string; type: string }> | undefined {
  return config.dialect === 'netra' ? NETRA_PAGES : undefined;
}
