/**
 * Did the page get an agent socket it can use? Pure: a function of the recorded sockets, frames
 * and page visits plus the elapsed time, so it is unit-tested with hand-written records.
 *
 * A page may open and drop any number of agent sockets before one lives: a framework's double
 * mount closes the first before it opens, a client reconnects on its own, a server closes after a
 * run. So no single closed socket decides. The step passes as soon as some socket is open and
 * authenticated. It fails only when none is and the evidence is complete: every socket is closed
 * and the page has left the route that opened the last one (it gave up, e.g. went back to sign
 * in), or the handshake timeout has passed. The failure names the last socket the server closed,
 * and lists every attempt.
 */

import { establishedUserOf, type FrameRecord, type PageVisit, pathOf, type SocketRecord } from './frames.ts';
import type { Judgement } from './run-verdict.ts';
import { closeCause, closeOf, describeClose } from './socket-close.ts';

export interface ConnectionInput {
  /** The sockets that count (e.g. only those opened after a dropped one). */
  sockets: readonly SocketRecord[];
  frames: readonly FrameRecord[];
  visits: readonly PageVisit[];
  agentEndpoint: string;
  /** Harness-clock ms since the wait began. */
  elapsedMs: number;
  timeoutMs: number;
}

export interface Connection {
  socket: SocketRecord;
  userId: string;
  /** The server sent only a prefix of the id (netra's handshake truncates it to 8 characters). */
  truncated?: boolean;
}

/** Does `connection` authenticate the user whose id is `expected`? A truncated id matches by prefix. */
export function authenticatesAs(
  connection: Pick<Connection, 'userId' | 'truncated'>,
  expected: string,
): boolean {
  if (!connection.truncated) return connection.userId === expected;
  return connection.userId !== '' && expected.startsWith(connection.userId);
}

/** Whether the handshake on `socket` carried only a prefix of the user id. */
function truncatedOn(socket: SocketRecord, frames: readonly FrameRecord[]): boolean {
  const frame = frames.find((each) => each.socketId === socket.id && each.meaning.kind === 'handshake');
  return frame?.meaning.kind === 'handshake' && frame.meaning.handshake.truncated === true;
}

/** The user the server authenticated on `socket`, if its handshake frame arrived. */
export function authenticatedUser(socket: SocketRecord, frames: readonly FrameRecord[]): string | undefined {
  for (const frame of frames) {
    if (frame.socketId !== socket.id) continue;
    const user = establishedUserOf(frame);
    if (user !== undefined) return user;
  }
  return undefined;
}

const ms = (value: number) => `${Math.round(value)} ms`;

/** One line per attempt: when it was made, how far it got, how it ended. */
export function describeAttempts(sockets: readonly SocketRecord[], frames: readonly FrameRecord[]): string[] {
  const origin = sockets[0]?.createdAt ?? 0;
  return sockets.map((socket) => {
    const parts = [`#${socket.id} +${ms(socket.createdAt - origin)}`];
    if (socket.openedAt === undefined) {
      if (socket.closedAt === undefined) parts.push('not opened yet');
      else if (socket.closedByPage) parts.push('closed by the page before it opened');
      else {
        const status = socket.handshakeStatus ? `HTTP ${socket.handshakeStatus}` : 'no HTTP status seen';
        const said = socket.handshakeError ? `; browser: ${socket.handshakeError}` : '';
        parts.push(`refused at the upgrade (${status}${said})`);
      }
    } else {
      parts.push(`opened after ${ms(socket.openedAt - socket.createdAt)}`);
      const user = authenticatedUser(socket, frames);
      parts.push(user === undefined ? 'not authenticated' : `authenticated as ${user || '(no user id)'}`);
      if (socket.closedAt !== undefined)
        parts.push(
          `${describeClose(closeOf(socket, user !== undefined))} ${ms(socket.closedAt - socket.openedAt)} after the upgrade`,
        );
    }
    return `${parts.join(', ')} (page ${pathOf(socket.pageUrl)})`;
  });
}

/** The page left the route that opened `socket` after it closed: it will not retry it. */
function gaveUp(socket: SocketRecord, visits: readonly PageVisit[]): PageVisit | undefined {
  const closedAt = socket.closedAt;
  if (closedAt === undefined) return undefined;
  const route = pathOf(socket.pageUrl);
  return visits.find((visit) => visit.at >= closedAt && pathOf(visit.url) !== route);
}

export function evaluateConnection(input: ConnectionInput): Judgement<Connection> {
  const { sockets, frames } = input;
  const usable = [...sockets]
    .reverse()
    .find((socket) => socket.closedAt === undefined && authenticatedUser(socket, frames) !== undefined);
  if (usable)
    return {
      state: 'passed',
      value: {
        socket: usable,
        userId: authenticatedUser(usable, frames) ?? '',
        ...(truncatedOn(usable, frames) ? { truncated: true } : {}),
      },
    };

  const timedOut = input.elapsedMs >= input.timeoutMs;
  const where = `(E2E_WS_HANDSHAKE_TIMEOUT_MS=${input.timeoutMs})`;
  const attempts = () =>
    `\n  agent socket attempts:\n    ${describeAttempts(sockets, frames).join('\n    ')}`;
  const open = sockets.filter((socket) => socket.closedAt === undefined);
  const last = sockets.at(-1);
  const left = last ? gaveUp(last, input.visits) : undefined;
  if (!timedOut && (open.length > 0 || !left)) return { state: 'pending', waitingFor: 'the handshake frame' };

  if (!last) {
    return {
      state: 'failed',
      code: 'WS_HANDSHAKE_TIMEOUT',
      summary: `the page never opened the agent socket ${input.agentEndpoint} within ${input.timeoutMs} ms ${where}`,
    };
  }
  const waiting = open.at(-1);
  if (waiting) {
    const state =
      waiting.openedAt === undefined ? 'neither opened nor closed' : 'opened but sent no handshake frame';
    return {
      state: 'failed',
      code: 'WS_HANDSHAKE_TIMEOUT',
      summary: `${waiting.url} ${state} within ${input.timeoutMs} ms ${where}: the server is silent, not refusing${attempts()}`,
    };
  }
  // Every socket is closed: blame the last one the server closed, not a page's own teardown.
  const blamed = [...sockets].reverse().find((socket) => !socket.closedByPage) ?? last;
  const then = left
    ? `; then the page went to ${pathOf(left.url)}`
    : `; no socket became usable within ${input.timeoutMs} ms`;
  const closedAt = blamed.closedAt ?? 0;
  if (blamed.openedAt === undefined) {
    if (blamed.closedByPage) {
      return {
        state: 'failed',
        code: 'WS_CLOSED_EARLY',
        summary: `the page closed every agent socket it opened before it opened${then}${attempts()}`,
      };
    }
    const status = blamed.handshakeStatus ? `HTTP ${blamed.handshakeStatus}` : 'no HTTP status seen';
    const said = blamed.handshakeError ? ` (browser: ${blamed.handshakeError})` : '';
    return {
      state: 'failed',
      code: 'WS_HANDSHAKE_REJECTED',
      summary: `${blamed.url} refused at the upgrade: ${status}${said}, ${ms(closedAt - blamed.createdAt)} after the page opened it${then}${attempts()}`,
    };
  }
  const user = authenticatedUser(blamed, frames);
  const facts = closeOf(blamed, user !== undefined);
  const stage =
    user === undefined ? 'before its handshake frame' : `after authenticating ${user || 'the user'}`;
  return {
    state: 'failed',
    code: closeCause(facts),
    summary: `${blamed.url} ${describeClose(facts)} ${ms(closedAt - blamed.openedAt)} after the upgrade, ${stage}${then}${attempts()}`,
  };
}
