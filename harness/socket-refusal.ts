/**
 * Judging one connection attempt the harness makes itself, with a bad credential or none: was it
 * refused the way the contract allows (401/403 at the upgrade, or 1008/1011 after it), and how?
 * Pure: the fixture that drives the browser socket (fixtures/socket-attempt.ts) hands each frame
 * and the close here, and every word about the wire comes from the configured dialect.
 */
import type { CauseCode } from './causes.ts';
import { interpret, type RefusalFields, type WireDialect } from './dialect.ts';
import { parseFrame } from './frames.ts';

export type Attempt =
  | { outcome: 'accepted'; afterMs: number; handshake: string }
  | { outcome: 'refused-at-upgrade'; afterMs: number; status: number | undefined; said: string }
  | {
      outcome: 'closed';
      afterMs: number;
      openedAfterMs: number;
      code: number;
      reason: string;
      /** What the server said before it closed, when its dialect announces a refusal in a frame. */
      refusal?: RefusalFields;
    }
  | { outcome: 'silent'; afterMs: number; opened: boolean };

/** The subprotocols a socket offers with `token` (or with none), in the dialect's words. */
export function attemptProtocols(dialect: WireDialect, token: string | undefined): string[] {
  return token === undefined
    ? [...dialect.baseProtocols]
    : [...dialect.baseProtocols, dialect.tokenProtocol(token)];
}

/** What one received text frame means to the attempt: the server's handshake, its refusal, or neither. */
export type AttemptFrame =
  | { kind: 'handshake'; label: string }
  | { kind: 'refusal'; refusal: RefusalFields }
  | { kind: 'other' };

export function readAttemptFrame(dialect: WireDialect, text: string): AttemptFrame {
  const { json, note } = parseFrame({ text });
  if (note !== undefined) return { kind: 'other' };
  const meaning = interpret(dialect, 'received', json);
  if (meaning.kind === 'handshake') return { kind: 'handshake', label: dialect.label(json) };
  if (meaning.kind === 'refusal') return { kind: 'refusal', refusal: meaning.refusal };
  return { kind: 'other' };
}

export interface RefusalVerdict {
  refused: boolean;
  how: string;
  /** When it was not refused: the cause that names why. */
  cause?: Extract<CauseCode, 'WS_HANDSHAKE_TIMEOUT' | 'WS_AUTH_NOT_ENFORCED'>;
}

function said(refusal: RefusalFields | undefined): string {
  if (!refusal) return '';
  const code = refusal.code ? `${refusal.code} ` : '';
  return `said ${code}"${refusal.text}", then `;
}

export interface AcceptanceVerdict {
  accepted: boolean;
  how: string;
  cause?: Extract<CauseCode, 'WS_AUTH_REJECTED' | 'WS_HANDSHAKE_TIMEOUT'>;
}

/**
 * The control before the refusals: the same socket, with the user's own valid token presented
 * the same way, must be accepted. If it is not, the refusals prove nothing: a socket that
 * refuses every token, or a dialect that presents the token in a form the deployment does not
 * read, would refuse the bad credentials too.
 */
export function judgeAcceptance(attempt: Attempt): AcceptanceVerdict {
  if (attempt.outcome === 'accepted')
    return { accepted: true, how: `accepted: ${attempt.handshake} after ${attempt.afterMs} ms` };
  const { how } = judgeRefusal(attempt);
  if (attempt.outcome === 'silent') return { accepted: false, cause: 'WS_HANDSHAKE_TIMEOUT', how };
  return {
    accepted: false,
    cause: 'WS_AUTH_REJECTED',
    how: `${how}; the refusals of bad credentials prove nothing until a valid token is accepted: either the socket refuses valid tokens, or the profile's dialect presents the token (tokenProtocol) in a form this deployment does not read`,
  };
}

/** Is this attempt a refusal the contract allows, and how did it go, in one line of evidence? */
export function judgeRefusal(attempt: Attempt): RefusalVerdict {
  switch (attempt.outcome) {
    case 'accepted':
      return {
        refused: false,
        cause: 'WS_AUTH_NOT_ENFORCED',
        how: `accepted: ${attempt.handshake} after ${attempt.afterMs} ms`,
      };
    case 'refused-at-upgrade': {
      const refused = attempt.status === 401 || attempt.status === 403;
      return {
        refused,
        ...(refused ? {} : { cause: 'WS_AUTH_NOT_ENFORCED' as const }),
        how: `refused at the upgrade (${attempt.said}) after ${attempt.afterMs} ms`,
      };
    }
    case 'closed': {
      const refused = attempt.code === 1008 || attempt.code === 1011;
      return {
        refused,
        ...(refused ? {} : { cause: 'WS_AUTH_NOT_ENFORCED' as const }),
        how: `opened, then ${said(attempt.refusal)}closed ${attempt.code} "${attempt.reason}" ${attempt.afterMs - attempt.openedAfterMs} ms after the upgrade`,
      };
    }
    default:
      return {
        refused: false,
        cause: 'WS_HANDSHAKE_TIMEOUT',
        how: `${attempt.opened ? 'opened but' : 'neither opened nor'} closed within ${attempt.afterMs} ms: silence, not a refusal`,
      };
  }
}
