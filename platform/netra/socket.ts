/**
 * netra's `/ws` (docs/netra.md §3–§6): the token in `jwt.<base64url(token)>` (or raw), verified
 * with the shared HS256 secret after the socket is accepted; a refusal is an `error_message`
 * frame then a close; the handshake frame alternates per connection between netra's two
 * versions; the first message of a thread is `start_agent`, later ones `user_message`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errors, jwtVerify } from 'jose';
import type { PlatformConfig } from '../config.ts';
import type { ClientMessage, SocketDialect } from '../socket-dialect.ts';
import { reasonFor, type TokenVerifier } from '../token-verifier.ts';
import { NETRA_AUDIENCE, NETRA_ISSUER, netraSecret } from './auth-routes.ts';
import { netraEvents } from './event-frames.ts';

const TOKEN_PREFIXES = ['jwt.', 'jwt-auth.', 'bearer.'];
const MIN_TOKEN_CHARS = 10;
export const REFUSAL_REASON = 'SSOT Auth failed';
const START_TYPES = new Set(['start_agent', 'execute_agent']);
const MESSAGE_TYPES = new Set(['user_message', 'user', 'user_input', 'chat_message', 'message']);

const isJwt = (value: string) => value.split('.').length === 3;

/** A subprotocol's value: base64url-decoded when that gives a JWT, else as it is when it is one. */
function tokenOf(value: string): string | undefined {
  // A raw JWT has dots, which base64url never has: decoding one would read garbage (that may even have two dots).
  const decoded = value.includes('.') ? '' : Buffer.from(value, 'base64url').toString('utf8');
  const candidate = isJwt(decoded) ? decoded : value;
  const token = candidate.replace(/^Bearer\s+/i, '');
  return token.length >= MIN_TOKEN_CHARS && isJwt(token) ? token : undefined;
}

/**
 * The token of the upgrade: the bearer header's, else the first token subprotocol that carries a
 * JWT, else the first one's value as it is, which fails verification (netra says AUTH_FAILED to
 * an unreadable token, NO_TOKEN only when none was offered).
 */
export function netraTokenFromUpgrade(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (match?.[1] !== undefined) return match[1];
  const offered = req.headers['sec-websocket-protocol'];
  const values: string[] = [];
  for (const raw of typeof offered === 'string' ? offered.split(',') : []) {
    const protocol = raw.trim();
    const prefix = TOKEN_PREFIXES.find((p) => protocol.startsWith(p));
    if (prefix !== undefined && protocol.length > prefix.length) values.push(protocol.slice(prefix.length));
  }
  return values.map(tokenOf).find((token) => token !== undefined) ?? values[0];
}

function netraVerifier(config: PlatformConfig): TokenVerifier {
  const secret = netraSecret(config);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, secret, {
        issuer: NETRA_ISSUER,
        audience: NETRA_AUDIENCE,
        algorithms: ['HS256'],
        clockTolerance: 0,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '')
        return { ok: false, status: 401, detail: 'invalid token claim: sub' };
      const email = typeof payload.email === 'string' ? payload.email : undefined;
      return { ok: true, user: { userId: payload.sub, email } };
    } catch (err) {
      return {
        ok: false,
        status: 401,
        // Only the shared secret is trusted: a token signed with another algorithm's key is one
        // of a key netra does not know, as a foreign HS256 secret's is.
        detail:
          err instanceof errors.JOSEAlgNotAllowed
            ? 'invalid token signature'
            : err instanceof errors.JOSEError
              ? reasonFor(err)
              : 'invalid token',
      };
    }
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function clientMessage(message: Record<string, unknown>): ClientMessage {
  const type = typeof message.type === 'string' ? message.type : '';
  const payload = record(message.payload);
  const threadId =
    typeof payload.thread_id === 'string' && payload.thread_id !== '' ? payload.thread_id : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  if (START_TYPES.has(type)) return { content: text(payload.user_request), threadId };
  if (MESSAGE_TYPES.has(type)) return { content: text(payload.content) || text(payload.text), threadId };
  if (type === 'ping') return { reply: { type: 'pong', timestamp: Date.now() / 1000 } };
  return undefined;
}

export function netraSocket(config: PlatformConfig): SocketDialect {
  let connections = 0;
  return {
    verify: netraVerifier(config),
    tokenFromUpgrade: netraTokenFromUpgrade,
    refuse(ws, refusal, req) {
      ws.send(
        JSON.stringify({
          type: 'error_message',
          error_code: refusal.code,
          error_message: refusal.message,
          // As netra does, the refusal echoes what the client sent: evidence quoting it must be masked.
          details: {
            failure_context: {
              auth_headers: { websocket_protocol: req.headers['sec-websocket-protocol'] ?? null },
            },
          },
          timestamp: Date.now() / 1000,
          recovery_suggestions: ['Sign in again to get a new token'],
        }),
      );
      ws.close(refusal.closeCode, REFUSAL_REASON);
    },
    // Alternates between netra's two versions: the 1st, 3rd, … connection gets the system_message.
    welcome({ connectionId, userId }) {
      connections += 1;
      if (connections % 2 === 1) {
        return {
          type: 'system_message',
          data: {
            event: 'connection_established',
            connection_id: connectionId,
            user_id: userId,
            server_time: new Date().toISOString(),
            connection_ready: true,
            environment: config.environment,
            startup_complete: true,
            config: { heartbeat_interval: 15, max_message_size: 65536 },
            factory_pattern_enabled: true,
          },
          timestamp: Date.now() / 1000,
          server_id: `server_${randomBytes(4).toString('hex')}`,
          correlation_id: randomUUID(),
        };
      }
      return {
        type: 'connection_established',
        mode: 'main',
        user_id: `${userId.slice(0, 8)}...`,
        connection_id: connectionId,
        golden_path_events: [
          'agent_started',
          'agent_thinking',
          'tool_executing',
          'tool_completed',
          'agent_completed',
        ],
        features: {},
        timestamp: new Date().toISOString(),
      };
    },
    clientMessage,
    events: netraEvents,
  };
}
