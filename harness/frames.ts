/**
 * What the recorder keeps of the agent socket, and how a raw frame becomes a record. Pure:
 * no Playwright here, so it is unit-tested directly.
 */
import { AGENT_EVENTS, type AgentEventType } from './config.ts';

export type Direction = 'sent' | 'received';

/** One agent socket (`/ws`) as the page saw it. Times are browser epoch ms. */
export interface SocketRecord {
  id: number;
  url: string;
  pageUrl: string;
  createdAt: number;
  openedAt?: number;
  protocol?: string;
  closedAt?: number;
  closeCode?: number;
  closeReason?: string;
  wasClean?: boolean;
  /** The page called `close()` on this socket itself (a remount, a reconnect of its own). */
  closedByPage?: boolean;
  errorAt?: number;
  /** Browser's own words about a failed handshake, e.g. "Unexpected response code: 403". */
  handshakeError?: string;
  /** HTTP status at the upgrade, when the browser or a diagnostic probe told us. */
  handshakeStatus?: number;
}

/**
 * Where the page was, and since when (browser epoch ms): each document's start and each of its
 * own route changes (`history.pushState`/`replaceState`, back and forward). A page that left the
 * URL that opened its agent socket has given up on that socket.
 */
export interface PageVisit {
  at: number;
  url: string;
}

/** The path of a URL, for telling one route from another (query and hash ignored). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '') || '/';
  } catch {
    return url;
  }
}

export interface FrameRecord {
  seq: number;
  socketId: number;
  url: string;
  direction: Direction;
  /** Browser epoch ms when the page received (or sent) the frame. */
  at: number;
  /** Harness clock (performance.now()) when the harness learned of it: used for deadlines. */
  seenAt: number;
  size: number;
  json?: unknown;
  /** Why the frame is not JSON, when it isn't. */
  note?: string;
}

/** The raw shape the in-page probe sends for a frame. */
export interface RawFrame {
  text?: string;
  binarySize?: number;
}

export function parseFrame(raw: RawFrame): Pick<FrameRecord, 'json' | 'note' | 'size'> {
  if (raw.text === undefined) {
    const size = raw.binarySize ?? 0;
    return { size, note: `binary frame, ${size} bytes` };
  }
  const size = raw.text.length;
  try {
    const json: unknown = JSON.parse(raw.text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { size, json, note: 'JSON but not an object' };
    }
    return { size, json };
  } catch (error) {
    const preview = raw.text.length > 80 ? `${raw.text.slice(0, 80)}…` : raw.text;
    return { size, note: `not JSON (${(error as Error).message}): ${preview}` };
  }
}

/**
 * Keep-alive frames: the contract lets a socket carry any number of them, and no verdict
 * depends on one, so a waiter need not look again when only these arrived.
 */
export function isKeepAlive(frame: Pick<FrameRecord, 'json'>): boolean {
  const type = (frame.json as { type?: unknown } | undefined)?.type;
  return type === 'heartbeat' || type === 'ping' || type === 'progress';
}

export interface AgentEvent {
  type: AgentEventType;
  runId: string | undefined;
  threadId: string | undefined;
  userId: string | undefined;
  toolName: string | undefined;
  result: unknown;
  frame: FrameRecord;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The agent event a received frame carries, if it is one of the five. */
export function agentEventOf(frame: FrameRecord): AgentEvent | undefined {
  if (frame.direction !== 'received' || !isObject(frame.json)) return undefined;
  const { type, run_id, thread_id, payload } = frame.json;
  if (typeof type !== 'string' || !(AGENT_EVENTS as readonly string[]).includes(type)) return undefined;
  const body = isObject(payload) ? payload : {};
  return {
    type: type as AgentEventType,
    runId: str(run_id),
    threadId: str(thread_id),
    userId: str(body.user_id),
    toolName: str(body.tool_name),
    result: body.result,
    frame,
  };
}

export interface SentMessage {
  threadId: string;
  content: string;
  frame: FrameRecord;
}

/** The `user_message` a sent frame carries, if any. */
export function userMessageOf(frame: FrameRecord): SentMessage | undefined {
  if (frame.direction !== 'sent' || !isObject(frame.json) || frame.json.type !== 'user_message')
    return undefined;
  const payload = isObject(frame.json.payload) ? frame.json.payload : {};
  const threadId = str(payload.thread_id);
  if (!threadId) return undefined;
  return { threadId, content: str(payload.content) ?? '', frame };
}

/** `connection_established` frames carry the user the server authenticated. */
export function establishedUserOf(frame: FrameRecord): string | undefined {
  if (frame.direction !== 'received' || !isObject(frame.json)) return undefined;
  return frame.json.type === 'connection_established' ? (str(frame.json.user_id) ?? '') : undefined;
}

/** Origin + path, the identity of a socket endpoint (query strings may carry secrets). */
export function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '') || '/'}`;
  } catch {
    return url;
  }
}

/** A one-line description of a frame for transcripts in failure messages. */
export function describeFrame(frame: FrameRecord, since: number): string {
  const t = `+${Math.round(frame.at - since)}ms`;
  const arrow = frame.direction === 'sent' ? '→' : '←';
  if (isObject(frame.json)) {
    const { type, run_id, thread_id } = frame.json;
    const parts = [String(type ?? '?')];
    if (run_id) parts.push(`run=${String(run_id)}`);
    if (thread_id) parts.push(`thread=${String(thread_id)}`);
    return `${t} ${arrow} ${parts.join(' ')}`;
  }
  return `${t} ${arrow} (${frame.note ?? 'unknown'})`;
}
