/** The agent backend: health routes, socket config, `/ws` and `/presence`, and reference-only inspection routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PlatformConfig } from './config.ts';
import { handleFaultRoute } from './fault-switch.ts';
import { pathOf, type ServiceHandlers, sendJson, sendText } from './http-util.ts';
import { createLogger } from './log.ts';
import { PresenceChannel } from './presence.ts';
import { RunRegistry } from './run-registry.ts';
import { backendDialect } from './service-dialect.ts';
import { handleShapeRoute } from './shape-switch.ts';
import { AgentSocketGateway } from './socket-gateway.ts';
import { createTokenVerifier } from './token-verifier.ts';
import { createUserDirectory } from './users.ts';
import { AUTH_SUBPROTOCOL, refuseUpgrade } from './ws-handshake.ts';

const VERSION = '1.0.0';

export interface BackendLinks {
  /** Where the backend is served (path prefix included), and its socket. */
  url: string;
  wsUrl: string;
  /** The auth service whose JWKS verifies tokens. */
  authUrl: string;
}

export function createBackendService(config: PlatformConfig, links: BackendLinks): ServiceHandlers {
  const { url, wsUrl, authUrl } = links;
  const log = createLogger('backend');
  const registry = new RunRegistry();
  const dialect = backendDialect(config);
  const gateway = new AgentSocketGateway({
    config,
    registry,
    log,
    users: createUserDirectory(config.users, dialect.userIdFor),
    verify:
      dialect.verifier ??
      createTokenVerifier({
        authUrl,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        ...(config.tls?.ca ? { ca: config.tls.ca } : {}),
      }),
    ...(dialect.socket ? { dialect: dialect.socket } : {}),
  });
  const presence = new PresenceChannel(() => gateway.openCount);

  const request = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req);
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /health':
      case 'GET /api/health':
        if (config.fault === 'backend-health-500') return sendText(res, 500, 'Internal Server Error');
        if (dialect.health) return sendJson(res, 200, dialect.health(path).body);
        return sendJson(res, 200, { status: 'healthy', service: 'agent-backend', version: VERSION });
      case 'GET /ws/health':
        return sendJson(res, 200, { status: 'healthy', connections: gateway.openCount });
      case 'GET /ws/config':
        return sendJson(res, 200, {
          path: new URL(wsUrl).pathname,
          subprotocol: AUTH_SUBPROTOCOL,
          heartbeat_ms: config.volume.heartbeatMs,
        });
      case 'GET /__platform/runs':
        return sendJson(res, 200, registry.list());
      case 'GET /__platform/stats':
        return sendJson(res, 200, registry.stats);
      case 'GET /__platform/fault':
      case 'POST /__platform/fault':
        return handleFaultRoute(req, res, config, log);
      case 'GET /__platform/shape':
      case 'POST /__platform/shape':
        return handleShapeRoute(req, res, config, log);
      case 'POST /__platform/drop-sockets': {
        const userId = new URL(req.url ?? '/', 'http://backend').searchParams.get('user_id') ?? undefined;
        const dropped = gateway.dropAll(userId);
        log(`dropped ${dropped} socket(s) on request${userId ? ` for ${userId}` : ''}`);
        return sendJson(res, 200, { dropped });
      }
      default:
        return sendJson(res, 404, { detail: 'Not Found' });
    }
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = pathOf(req);
    if (path === '/ws') {
      gateway.handleUpgrade(req, socket, head).catch((err: unknown) => {
        log(`upgrade failed: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      });
    } else if (path === '/presence') {
      presence.handleUpgrade(req, socket, head);
    } else {
      refuseUpgrade(socket, 404, 'no socket at this path');
    }
  };

  log(`backend listening on ${url} (socket ${wsUrl}, keys from ${authUrl})`);
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  return {
    request,
    upgrade,
    close: () => {
      gateway.close();
      presence.close();
    },
  };
}
