/**
 * What the recorder keeps of the agent socket, and how a raw frame becomes a record. Pure:
 * no Playwright here, so it is unit-tested directly.
 */
import type { AgentEventType } from './config.ts';
import { type FrameMeaning, interpret, type WireDialect } from './dialect.ts';

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
  /** What the frame says under the configured dialect, decided once, when it arrived. */
  meaning: FrameMeaning;
  /** A short label for transcripts (type and ids, as the dialect reads them). */
  label: string;
}

export type FrameOrigin = Pick<FrameRecord, 'seq' | 'socketId' | 'url' | 'direction' | 'at' | 'seenAt'>;

/** A frame as recorded: parsed, and interpreted with `dialect`. */
export function recordFrame(origin: FrameOrigin, raw: RawFrame, dialect: WireDialect): FrameRecord {
  const parsed = parseFrame(raw);
  const object = parsed.note === undefined ? parsed.json : undefined;
  return {
    ...origin,
    ...parsed,
    meaning: interpret(dialect, origin.direction, object),
    label: object === undefined ? `(${parsed.note ?? 'unknown'})` : dialect.label(object),
  };
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
 * Frames no verdict depends on: keep-alives and re-deliveries. A socket may carry any number of
 * them, so a waiter need not look again when only these arrived.
 */
export function isKeepAlive(frame: Pick<FrameRecord, 'meaning'>): boolean {
  return frame.meaning.kind === 'noise' || frame.meaning.kind === 'duplicate';
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

/** The agent event a received frame carries, if it is one of the five. */
export function agentEventOf(frame: FrameRecord): AgentEvent | undefined {
  if (frame.meaning.kind !== 'event') return undefined;
  const { event } = frame.meaning;
  return {
    type: event.type,
    runId: event.runId,
    threadId: event.threadId,
    userId: event.userId,
    toolName: event.toolName,
    result: event.result,
    frame,
  };
}

export interface SentMessage {
  threadId: string;
  content: string;
  frame: FrameRecord;
}

/** The page's own message a sent frame carries, if any (with the thread it names). */
export function userMessageOf(frame: FrameRecord): SentMessage | undefined {
  if (frame.meaning.kind !== 'outgoing' || !frame.meaning.message.threadId) return undefined;
  return { threadId: frame.meaning.message.threadId, content: frame.meaning.message.content, frame };
}

/** The handshake frame's user: the user the server authenticated on the socket. */
export function establishedUserOf(frame: FrameRecord): string | undefined {
  return frame.meaning.kind === 'handshake' ? frame.meaning.handshake.userId : undefined;
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
  const arrow = frame.direction === 'sent' ? '→' : '←';
  const repeat = frame.meaning.kind === 'duplicate' ? ` (repeat of #${frame.meaning.of})` : '';
  return `+${Math.round(frame.at - since)}ms ${arrow} ${frame.label}${repeat}`;
}
