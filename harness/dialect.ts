/**
 * The wire dialect: how one platform's frames say what the harness needs to know. The recorder
 * interprets each frame once, as it arrives, with the configured dialect; every verdict then reads
 * the frame's meaning and never a field name. Built-ins live in harness/dialects/; a profile may
 * replace any function.
 */
import type { AgentEventType } from './config.ts';

/** What an agent event frame says. */
export interface EventFields {
  type: AgentEventType;
  runId?: string | undefined;
  /** Absent on some platforms' events: such an event inherits its run's thread. */
  threadId?: string | undefined;
  userId?: string | undefined;
  toolName?: string | undefined;
  result?: unknown;
}

export interface HandshakeFields {
  userId: string;
  /** The server sent only a prefix of the id: it matches by prefix, and the report says so. */
  truncated?: boolean;
}

export interface RefusalFields {
  code?: string | undefined;
  text: string;
}

export interface OutgoingFields {
  threadId: string | undefined;
  content: string;
}

/** The meaning of one recorded frame under the configured dialect. */
export type FrameMeaning =
  | { kind: 'handshake'; handshake: HandshakeFields }
  | { kind: 'event'; event: EventFields }
  | { kind: 'outgoing'; message: OutgoingFields }
  | { kind: 'refusal'; refusal: RefusalFields }
  | { kind: 'noise' }
  | { kind: 'duplicate'; of: number }
  | { kind: 'unknown' };

export type FrameKind = FrameMeaning['kind'];

/** How an answer is judged: a health answer, the auth service's, any JSON, a key set, a page. */
export type ProbeCheck = 'health' | 'auth-health' | 'json' | 'keys' | 'page';

/** The preflight's probes and what counts as healthy, in the deployment's own words. */
export interface HealthRules {
  probes: readonly { service: 'auth' | 'backend' | 'frontend'; path: string; check: ProbeCheck }[];
  /** Why a JSON health answer is not healthy, or undefined when it is. */
  unhealthy(body: Record<string, unknown>): string | undefined;
  /** The same for the auth service (its database, say). */
  authUnhealthy(body: Record<string, unknown>): string | undefined;
}

export interface WireDialect {
  name: string;
  /** The frame that says the server authenticated the socket, and the user it carries. */
  handshake(json: unknown): HandshakeFields | undefined;
  /** One of the five agent events. */
  agentEvent(json: unknown): EventFields | undefined;
  /** The page's own message to the agent, from a sent frame. */
  outgoingMessage(json: unknown): OutgoingFields | undefined;
  /** Frames no verdict depends on (keep-alives, progress). */
  isNoise(json: unknown): boolean;
  /** A key equal for a frame and its re-delivery; undefined: never a duplicate. */
  duplicateKey(json: unknown): string | undefined;
  /** How a refusal announces itself before the close. */
  refusal(json: unknown): RefusalFields | undefined;
  /** A short label for transcripts: the frame's type and ids. */
  label(json: unknown): string;
  /**
   * The text the page must show as the answer, from agent_completed's result; undefined when
   * this result holds none the dialect can read (the answer is then not compared, and the run
   * says so).
   */
  answerText(result: unknown): string | undefined;
  /** The subprotocol that carries `token` on a socket the harness opens itself. */
  tokenProtocol(token: string): string;
  /** The token a subprotocol the page offers carries, if it carries one. */
  tokenFromProtocol(protocol: string): string | undefined;
  /** The subprotocols a browser offers besides the token's. */
  baseProtocols: readonly string[];
  health: HealthRules;
  /** What each recogniser looks for, for a PROTOCOL_MISMATCH message. */
  expects: { handshake: string; event: string; outgoing: string };
}

/** The meaning of a frame in `direction`, ignoring duplicates (the recorder tracks those). */
export function interpret(dialect: WireDialect, direction: 'sent' | 'received', json: unknown): FrameMeaning {
  if (json === undefined) return { kind: 'unknown' };
  if (direction === 'sent') {
    const message = dialect.outgoingMessage(json);
    return message ? { kind: 'outgoing', message } : { kind: 'unknown' };
  }
  const event = dialect.agentEvent(json);
  if (event) return { kind: 'event', event };
  const handshake = dialect.handshake(json);
  if (handshake) return { kind: 'handshake', handshake };
  const refusal = dialect.refusal(json);
  if (refusal) return { kind: 'refusal', refusal };
  return dialect.isNoise(json) ? { kind: 'noise' } : { kind: 'unknown' };
}

/** Small readers the dialects share. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
