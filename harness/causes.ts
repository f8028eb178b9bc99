/**
 * The cause codes. Every failure the harness reports starts with exactly one of these in
 * square brackets, followed by evidence. When several things are wrong, the harness reports
 * the first cause in the journey's order (config → services → tokens → login → socket →
 * events → page), never a later symptom.
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
  WS_AUTH_REJECTED: 'the agent socket was accepted, then closed with 1008 or 1011 and a reason',
  WS_HANDSHAKE_TIMEOUT: 'the agent socket neither opened nor closed in time',
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

/** The cause code a failure message names: at its start, else on the first line that has one. */
export function causeIn(message: string | undefined): CauseCode | undefined {
  return causeOf(message) ?? causeOf(/\[[A-Z_]+\][^\n]*/.exec(message ?? '')?.[0]);
}
