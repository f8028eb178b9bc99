/** The agent backend: health routes, socket config, `/ws` and `/presence`, and reference-only inspection routes. */
import { createServer } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { backendDialect } from './dialect.ts';
import { handleFaultRoute } from './fault-switch.ts';
import {
  closeServer,
  listen,
  originFor,
  pathOf,
  type RunningService,
  sendJson,
  sendText,
} from './http-util.ts';
import { createLogger } from './log.ts';
import { PresenceChannel } from './presence.ts';
import { RunRegistry } from './run-registry.ts';
import { AgentSocketGateway } from './socket-gateway.ts';
import { createTokenVerifier } from './token-verifier.ts';
import { createUserDirectory } from './users.ts';
import { AUTH_SUBPROTOCOL, refuseUpgrade } from './ws-handshake.ts';

const VERSION = '1.0.0';

export interface BackendService extends RunningService {
  wsUrl: string;
}

export async function startBackendService(
  config: PlatformConfig,
  port: number,
  authUrl: string,
): Promise<BackendService> {
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
      createTokenVerifier({ authUrl, issuer: config.jwt.issuer, audience: config.jwt.audience }),
    ...(dialect.socket ? { dialect: dialect.socket } : {}),
  });
  const presence = new PresenceChannel(() => gateway.openCount);

  const server = createServer((req, res) => {
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
          path: '/ws',
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
      case 'POST /__platform/drop-sockets': {
        const userId = new URL(req.url ?? '/', 'http://backend').searchParams.get('user_id') ?? undefined;
        const dropped = gateway.dropAll(userId);
        log(`dropped ${dropped} socket(s) on request${userId ? ` for ${userId}` : ''}`);
        return sendJson(res, 200, { dropped });
      }
      default:
        return sendJson(res, 404, { detail: 'Not Found' });
    }
  });

  server.on('upgrade', (req, socket, head) => {
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
  });

  const address = await listen(server, port, config.host);
  const url = originFor('http', config.host, address.port);
  const wsUrl = `${originFor('ws', config.host, address.port)}/ws`;
  log(`backend listening on ${url} (socket ${wsUrl}, keys from ${authUrl})`);
  if (config.fault !== undefined) log(`fault active: ${config.fault}`);
  return {
    url,
    wsUrl,
    close: async () => {
      gateway.close();
      presence.close();
      await closeServer(server);
    },
  };
}
