/**
 * The cause codes. Every failure the harness reports starts with exactly one of these in
 * square brackets, followed by evidence. When several things are wrong, the harness reports
 * the first cause in JOURNEY_ORDER, never a later symptom.
 */
export const CAUSES = {
  CONFIG_INVALID: 'a setting is missing or malformed',
  SERVICE_UNREACHABLE: 'a service could not be reached at preflight (DNS, connect, TLS or timeout)',
  SERVICE_UNHEALTHY: 'a service answered, but not healthy',
  TOKEN_REJECTED: 'the auth service refused the bypass key, or forbids the bypass here',
  USER_UNKNOWN: 'the test user does not exist on the auth service',
  TOKEN_INVALID: 'a token failed verification, or belongs to another user',
  LOGIN_FAILED: 'sign-in did not reach the chat',
  WS_HANDSHAKE_REJECTED: 'the agent socket was refused with an HTTP status at the upgrade',
  WS_AUTH_REJECTED:
    'the agent socket was accepted, then closed 1008/1011 before its handshake, or after it for auth, tokens or sessions',
  WS_HANDSHAKE_TIMEOUT: 'the agent socket neither opened nor closed in time',
  PROTOCOL_MISMATCH:
    'the agent socket talks, or takes the token, only in another built-in dialect than the configured one (E2E_PROFILE)',
  WS_AUTH_NOT_ENFORCED:
    'the agent socket authenticated a connection it must refuse (no, bad or expired token)',
  WS_CLOSED_EARLY: 'the agent socket closed before the run completed',
  EVENT_MISSING: 'one or more of the five agent events never arrived',
  EVENT_ORDER: 'the agent events arrived out of contract order',
  EVENT_LATENCY: 'an agent event arrived later than its budget',
  CROSS_USER_LEAK: 'a frame of another run or user reached this socket or page',
  UI_NOT_RENDERED: 'frames arrived but the page did not show them',
  PAGE_ERROR: 'the page raised an uncaught error during the journey',
} as const;

export type CauseCode = keyof typeof CAUSES;

export const CAUSE_CODES = Object.keys(CAUSES) as CauseCode[];

/**
 * The order a user's journey meets the causes in: config → services → tokens → login → socket →
 * events → isolation → page. A later cause is often a symptom of an earlier one (no token, so
 * no socket, so no events), so where several are seen, the first in this order is the one to
 * report. Stated here rather than left to the key order of CAUSES, which nothing promises.
 */
export const JOURNEY_ORDER: readonly CauseCode[] = [
  'CONFIG_INVALID',
  'SERVICE_UNREACHABLE',
  'SERVICE_UNHEALTHY',
  'TOKEN_REJECTED',
  'USER_UNKNOWN',
  'TOKEN_INVALID',
  'LOGIN_FAILED',
  'WS_HANDSHAKE_REJECTED',
  'WS_AUTH_REJECTED',
  'WS_HANDSHAKE_TIMEOUT',
  'PROTOCOL_MISMATCH',
  'WS_AUTH_NOT_ENFORCED',
  'WS_CLOSED_EARLY',
  'EVENT_MISSING',
  'EVENT_ORDER',
  'EVENT_LATENCY',
  'CROSS_USER_LEAK',
  'UI_NOT_RENDERED',
  'PAGE_ERROR',
];

/** Where a code stands in JOURNEY_ORDER; anything else (no code, not ours) comes after all. */
export function journeyRank(code: string | undefined): number {
  const index = JOURNEY_ORDER.indexOf(code as CauseCode);
  return index < 0 ? JOURNEY_ORDER.length : index;
}

/** An error whose message starts with `[CODE]`; `evidence` is kept for reports and diagnosis. */
export class CausedError extends Error {
  readonly code: CauseCode;
  readonly evidence: unknown;

  constructor(code: CauseCode, summary: string, evidence?: unknown) {
    super(`[${code}] ${summary}`);
    this.name = 'CausedError';
    this.code = code;
    this.evidence = evidence;
  }
}

const CODE_AT_START = /^\s*(?:Error:\s*)?\[([A-Z_]+)\]/;

/** The cause code a failure message starts with, if it is one of ours. */
export function causeOf(message: string | undefined): CauseCode | undefined {
  const match = message ? CODE_AT_START.exec(message) : null;
  const code = match?.[1];
  return code && code in CAUSES ? (code as CauseCode) : undefined;
}

/** ANSI colour codes, which Playwright puts in assertion messages. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

const CODE_ANYWHERE = /\[([A-Z_]+)\]/g;

/**
 * The cause a failure's text names, for failures that reach a reader only as text (an error
 * serialised by Playwright, a setup failure): the code the text starts with, else the first
 * code of ours in it, as when an assertion wraps a matcher's `[CODE] ...` message in its own.
 * A failure that still holds its CausedError should be asked for `.code` instead.
 */
export function causeIn(text: string | undefined): CauseCode | undefined {
  const plain = text?.replace(ANSI, '');
  const first = causeOf(plain);
  if (first || !plain) return first;
  for (const [, code] of plain.matchAll(CODE_ANYWHERE)) if (code && code in CAUSES) return code as CauseCode;
  return undefined;
}

/** A failure's one-line summary: from its cause code on, when it names one, else its first line. */
export function failureSummary(text: string): string {
  const plain = text.replace(ANSI, '');
  const code = causeIn(plain);
  const from = code ? plain.indexOf(`[${code}]`) : -1;
  return (from >= 0 ? plain.slice(from) : plain).split('\n')[0]?.trim() ?? '';
}
