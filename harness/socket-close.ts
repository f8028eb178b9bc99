/**
 * What a close of the agent socket means. The one place that turns a close code and reason into a
 * cause, for the connection step and for a run alike.
 *
 * The contract: a refusal is HTTP 401/403 at the upgrade, or an accepted socket closed 1008/1011
 * with a reason. Before the handshake frame any 1008/1011 is such a refusal. After it, the same
 * codes also carry other policy closes (the seeds list rate limits), so only a reason that speaks
 * of authentication, authorisation, tokens or sessions makes it an auth rejection; the staging
 * report's "connection established… SSOT Auth failed (1008)" is one.
 */
import type { CauseCode } from './causes.ts';
import type { SocketRecord } from './frames.ts';

export type CloseCause = Extract<CauseCode, 'WS_AUTH_REJECTED' | 'WS_CLOSED_EARLY'>;

export interface CloseFacts {
  code: number | undefined;
  reason: string | undefined;
  /** Did the server authenticate this socket (send its handshake frame) before it closed? */
  authenticated: boolean;
  /** The page closed the socket itself: never a refusal by the server. */
  closedByPage?: boolean;
}

const POLICY_CODES = new Set([1008, 1011]);

/** Words that make a policy close after the handshake an auth rejection. */
const AUTH_REASON =
  /\b(auth(?:n|enticat\w*|ori[sz]\w*)?|unauthori[sz]ed|forbidden|permission\w*|token\w*|jwt|session\w*|credential\w*|sign(?:ed)?[ -]?in|log(?:ged)?[ -]?in|login|signature)\b/i;

export function speaksOfAuth(reason: string | undefined): boolean {
  return !!reason && AUTH_REASON.test(reason);
}

/** The cause a close before the run completed stands for. */
export function closeCause(facts: CloseFacts): CloseCause {
  if (facts.closedByPage || facts.code === undefined || !POLICY_CODES.has(facts.code))
    return 'WS_CLOSED_EARLY';
  if (!facts.authenticated) return 'WS_AUTH_REJECTED';
  return speaksOfAuth(facts.reason) ? 'WS_AUTH_REJECTED' : 'WS_CLOSED_EARLY';
}

/** `closed 1008 "reason"`, `closed 1006 (no reason)`, or `closed by the page (1000 …)`. */
export function describeClose(facts: Pick<CloseFacts, 'code' | 'reason' | 'closedByPage'>): string {
  const reason = facts.reason ? ` "${facts.reason}"` : ' (no reason)';
  const who = facts.closedByPage ? 'closed by the page ' : 'closed ';
  return `${who}${facts.code ?? '?'}${reason}`;
}

/** The close facts of a recorded socket. */
export function closeOf(socket: SocketRecord, authenticated: boolean): CloseFacts {
  return {
    code: socket.closeCode,
    reason: socket.closeReason,
    authenticated,
    ...(socket.closedByPage ? { closedByPage: true } : {}),
  };
}
