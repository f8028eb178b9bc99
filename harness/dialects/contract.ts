/**
 * The contract's dialect (shared/CONTRACT.md): `{type, run_id, thread_id, timestamp, payload}`
 * events, `connection_established` with `user_id`, `user_message` with `{content, thread_id}`,
 * `jwt.<token>` subprotocols, health answers that say `healthy`.
 */
import { AGENT_EVENTS, type AgentEventType } from '../config.ts';
import { isObject, str, type WireDialect } from '../dialect.ts';

const KEEP_ALIVE = new Set(['heartbeat', 'ping', 'progress']);

const typeOf = (json: unknown) => (isObject(json) ? str(json.type) : undefined);

export const contractDialect: WireDialect = {
  name: 'contract',
  handshake(json) {
    if (!isObject(json) || json.type !== 'connection_established') return undefined;
    return { userId: str(json.user_id) ?? '' };
  },
  agentEvent(json) {
    if (!isObject(json)) return undefined;
    const { type, run_id, thread_id, payload } = json;
    if (typeof type !== 'string' || !(AGENT_EVENTS as readonly string[]).includes(type)) return undefined;
    const body = isObject(payload) ? payload : {};
    return {
      type: type as AgentEventType,
      runId: str(run_id),
      threadId: str(thread_id),
      userId: str(body.user_id),
      toolName: str(body.tool_name),
      result: body.result,
    };
  },
  outgoingMessage(json) {
    if (!isObject(json) || json.type !== 'user_message') return undefined;
    const payload = isObject(json.payload) ? json.payload : {};
    const threadId = str(payload.thread_id);
    return threadId ? { threadId, content: str(payload.content) ?? '' } : undefined;
  },
  isNoise: (json) => KEEP_ALIVE.has(typeOf(json) ?? ''),
  duplicateKey: () => undefined,
  refusal: () => undefined,
  label(json) {
    if (!isObject(json)) return '?';
    const parts = [String(json.type ?? '?')];
    if (json.run_id) parts.push(`run=${String(json.run_id)}`);
    if (json.thread_id) parts.push(`thread=${String(json.thread_id)}`);
    return parts.join(' ');
  },
  tokenProtocol: (token) => `jwt.${token}`,
  // The contract: `payload.result` holds the answer.
  answerText: (result) => (typeof result === 'string' ? result : undefined),
  tokenFromProtocol: (protocol) => (protocol.startsWith('jwt.') ? protocol.slice(4) : undefined),
  baseProtocols: ['jwt-auth'],
  health: {
    probes: [
      { service: 'auth', path: '/health', check: 'auth-health' },
      { service: 'auth', path: '/.well-known/jwks.json', check: 'keys' },
      { service: 'backend', path: '/health', check: 'health' },
      { service: 'backend', path: '/api/health', check: 'health' },
      { service: 'backend', path: '/ws/health', check: 'json' },
      { service: 'backend', path: '/ws/config', check: 'json' },
      { service: 'frontend', path: '/login', check: 'page' },
    ],
    unhealthy: (body) =>
      body.status === 'healthy' ? undefined : `status is ${JSON.stringify(body.status)}, not "healthy"`,
    authUnhealthy: (body) =>
      body.database_status === 'connected'
        ? undefined
        : `database_status is ${JSON.stringify(body.database_status)}, not "connected"`,
  },
  expects: {
    handshake: 'a frame with type "connection_established" and a user_id',
    event: 'frames with type agent_started … agent_completed and top-level run_id and thread_id',
    outgoing: 'a sent frame with type "user_message" and payload.thread_id',
  },
};

/** The page's message in the contract's words, for a client that speaks it without a page (the bench). */
export function contractMessage(content: string, threadId: string): Record<string, unknown> {
  return { type: 'user_message', payload: { content, thread_id: threadId } };
}
