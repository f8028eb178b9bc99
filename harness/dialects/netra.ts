/**
 * The dialect of netra-systems/zen (docs/netra.md, with the source files each point was read
 * from). Where the platform's versions disagree, every variant is accepted: events wrapped in
 * `data` or `payload` or spread at the root, a handshake as a `system_message` or its own type,
 * a full or truncated user id, `start_agent` or `user_message`, re-deliveries of the same event.
 */
import { AGENT_EVENTS, type AgentEventType } from '../config.ts';
import { isObject, str, type WireDialect } from '../dialect.ts';
import { contractDialect } from './contract.ts';

const NOISE = new Set([
  'heartbeat',
  'heartbeat_ack',
  'ping',
  'pong',
  'progress_update',
  'partial_result',
  'final_report',
  'system_message',
  'event_batch',
  'agent_error',
]);

/** Delivery bookkeeping a retry changes: a repeat is the same frame once these are set aside. */
const DELIVERY_FIELDS = new Set(['attempt', 'timestamp', 'delivery_attempts', 'failed_at', 'failure_reason']);

/** The event's body: `data`, `payload`, or the frame itself when its fields are at the root. */
function bodyOf(json: Record<string, unknown>): Record<string, unknown> {
  if (isObject(json.data)) return json.data;
  if (isObject(json.payload)) return json.payload;
  return json;
}

/** A user id ending in "..." is a prefix (the socket's handshake truncates it to 8 characters). */
function userIdOf(raw: string): { userId: string; truncated?: boolean } {
  return raw.endsWith('...') ? { userId: raw.slice(0, -3), truncated: true } : { userId: raw };
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (!isObject(value)) return JSON.stringify(value) ?? 'undefined';
  const keys = Object.keys(value)
    .filter((key) => !DELIVERY_FIELDS.has(key))
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stable(value[key])}`).join(',')}}`;
}

/**
 * What the run answered: a result that is text, or the text of an object result's `response`.
 * Anything else stays the result as it came, for the evidence; the answer checks, which compare
 * text with the page, only judge text, so an answer left inside an object would go unchecked.
 */
function answerOf(result: unknown): unknown {
  return isObject(result) && typeof result.response === 'string' ? result.response : result;
}

const base64url = (token: string) => Buffer.from(token, 'utf8').toString('base64url');

export const netraDialect: WireDialect = {
  name: 'netra',
  handshake(json) {
    if (!isObject(json)) return undefined;
    const data = isObject(json.data) ? json.data : {};
    const named =
      json.type === 'connection_established' ||
      (json.type === 'system_message' && data.event === 'connection_established');
    if (!named) return undefined;
    const raw = str(data.user_id) ?? str(json.user_id);
    return raw === undefined ? { userId: '' } : userIdOf(raw);
  },
  agentEvent(json) {
    if (!isObject(json)) return undefined;
    const type = str(json.type);
    if (!type || !(AGENT_EVENTS as readonly string[]).includes(type)) return undefined;
    const body = bodyOf(json);
    const pick = (name: string) => str(body[name]) ?? str(json[name]);
    const metadata = isObject(body.metadata) ? body.metadata : undefined;
    return {
      type: type as AgentEventType,
      runId: pick('run_id'),
      threadId: pick('thread_id'),
      userId: pick('user_id'),
      toolName: pick('tool_name'),
      result: answerOf(body.result ?? json.result ?? metadata),
    };
  },
  outgoingMessage(json) {
    if (!isObject(json)) return undefined;
    const payload = isObject(json.payload) ? json.payload : {};
    if (json.type === 'start_agent') {
      return { threadId: str(payload.thread_id), content: str(payload.user_request) ?? '' };
    }
    if (json.type === 'user_message') {
      return { threadId: str(payload.thread_id), content: str(payload.content) ?? str(payload.text) ?? '' };
    }
    return undefined;
  },
  isNoise(json) {
    return isObject(json) && NOISE.has(str(json.type) ?? '');
  },
  duplicateKey(json) {
    if (!isObject(json) || !(AGENT_EVENTS as readonly string[]).includes(str(json.type) ?? ''))
      return undefined;
    return stable(json);
  },
  refusal(json) {
    if (!isObject(json) || json.type !== 'error_message') return undefined;
    return { code: str(json.error_code), text: str(json.error_message) ?? '' };
  },
  label(json) {
    if (!isObject(json)) return '?';
    const body = bodyOf(json);
    const parts = [String(json.type ?? '?')];
    if (json.type === 'system_message' && isObject(json.data)) parts.push(String(json.data.event ?? ''));
    const run = str(body.run_id) ?? str(json.run_id);
    const thread = str(body.thread_id) ?? str(json.thread_id);
    if (run) parts.push(`run=${run}`);
    if (thread) parts.push(`thread=${thread}`);
    return parts.join(' ');
  },
  tokenProtocol: (token) => `jwt.${base64url(token)}`,
  // The backend takes jwt.<base64url(token)> and jwt.<token> alike: decode only what decodes to a JWT.
  tokenFromProtocol(protocol) {
    const match = /^(?:jwt|jwt-auth|bearer)\.(.+)$/.exec(protocol);
    if (!match?.[1]) return undefined;
    const value = match[1];
    if (value.split('.').length === 3) return value;
    const decoded = Buffer.from(value, 'base64url').toString('utf8');
    return decoded.split('.').length === 3 ? decoded : value;
  },
  baseProtocols: ['jwt-auth'],
  health: {
    // The contract's probes but the key set (tokens are HS256) and the /ws/health and /ws/config routes.
    probes: contractDialect.health.probes.filter(
      (probe) => probe.check !== 'keys' && !probe.path.startsWith('/ws/'),
    ),
    unhealthy: (body) =>
      body.status === 'healthy' || body.status === 'ok'
        ? undefined
        : `status is ${JSON.stringify(body.status)}, not "healthy" or "ok"`,
    // Only some versions report their database; `not_configured` is the deployment's own choice.
    authUnhealthy: (body) =>
      body.database_status === undefined ||
      body.database_status === 'connected' ||
      body.database_status === 'not_configured'
        ? undefined
        : `database_status is ${JSON.stringify(body.database_status)}, not "connected"`,
  },
  expects: {
    handshake:
      'a system_message whose data.event is "connection_established" (or type "connection_established") with a user_id',
    event: 'frames with type agent_started … agent_completed and run_id in data, payload or at the top level',
    outgoing:
      'a sent frame with type "start_agent" (payload.user_request) or "user_message" (payload.content)',
  },
};
