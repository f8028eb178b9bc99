/** The HTTP side of a socket upgrade: where the token is, which subprotocol to select, refusals. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export const AUTH_SUBPROTOCOL = 'jwt-auth';
const TOKEN_SUBPROTOCOL_PREFIX = 'jwt.';

/** Token from the `jwt.<token>` subprotocol (browsers) or `Authorization: Bearer` (other clients). */
export function tokenFromUpgrade(req: IncomingMessage): string | undefined {
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered === 'string') {
    for (const raw of offered.split(',')) {
      const protocol = raw.trim();
      if (
        protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX) &&
        protocol.length > TOKEN_SUBPROTOCOL_PREFIX.length
      ) {
        return protocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
      }
    }
  }
  const authorization = req.headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}

/** Selects `jwt-auth` when offered; never echoes the token-bearing subprotocol. */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(AUTH_SUBPROTOCOL) ? AUTH_SUBPROTOCOL : false;
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, detail: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ detail });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n' +
      '\r\n' +
      body,
  );
}
