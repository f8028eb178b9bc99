/**
 * The auth spec's control, cross-checked. When the user's own valid token is not accepted as the
 * configured dialect presents it, two very different things look the same: a deployment that
 * refuses valid tokens (WS_AUTH_REJECTED), and a profile whose dialect presents the token in a
 * form this deployment does not read, or cannot read its handshake (PROTOCOL_MISMATCH). The same
 * token presented as another built-in dialect presents it tells them apart.
 *
 * Pure: the fixture drives the attempts (fixtures/socket-attempt.ts) and hands here their
 * outcomes and the presentations as shapes; the token itself never reaches a verdict.
 */
import type { CauseCode } from './causes.ts';
import type { WireDialect } from './dialect.ts';
import { type Attempt, attemptProtocols, judgeAcceptance, judgeRefusal } from './socket-refusal.ts';

/** The subprotocols a dialect offers with a token, the token's as a shape safe to print. */
export interface Shape {
  base: readonly string[];
  /** `jwt.<token>`, `jwt.<base64url(token)>`, …; never the token. */
  token: string;
}

/** One presentation of the token and what the socket did with it. */
export interface Presentation extends Shape {
  /** The dialect whose presentation (subprotocols and handshake recogniser) this was. */
  dialect: string;
  attempt: Attempt;
}

export interface ControlEvidence {
  /** What E2E_PROFILE said. */
  profile: string;
  configured: Presentation;
  /** The other built-in dialects' presentations, tried only when the configured one failed. */
  others: readonly Presentation[];
}

export interface ControlVerdict {
  accepted: boolean;
  how: string;
  cause?: Extract<CauseCode, 'WS_AUTH_REJECTED' | 'WS_HANDSHAKE_TIMEOUT' | 'PROTOCOL_MISMATCH'>;
}

/** The forms of a token a dialect may put in a subprotocol, most literal first. */
const FORMS: readonly [string, (token: string) => string][] = [
  ['<token>', (token) => token],
  ['<base64url(token)>', (token) => Buffer.from(token, 'utf8').toString('base64url')],
  ['<base64(token)>', (token) => Buffer.from(token, 'utf8').toString('base64')],
];

/**
 * How `dialect` presents `token`: the base subprotocols as they are, the token's with the token
 * named by the form found in it, or nothing of it when the form is the dialect's own.
 */
export function presentationShape(dialect: WireDialect, token: string): Shape {
  const tokenProtocol = dialect.tokenProtocol(token);
  const found = FORMS.find(([, form]) => tokenProtocol.includes(form(token)));
  return {
    base: dialect.baseProtocols,
    token: found
      ? tokenProtocol.replaceAll(found[1](token), found[0])
      : "<the token, in a form of the dialect's own>",
  };
}

/**
 * Would `other` tell anything the configured attempt did not? Not when it offers the same
 * subprotocols and the configured attempt was answered (the same bytes get the same answer), nor
 * when it also reads the handshake the same way.
 */
export function worthCrossChecking(
  configured: WireDialect,
  attempt: Attempt,
  other: WireDialect,
  token: string,
): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((p, i) => p === b[i]);
  if (!same(attemptProtocols(configured, token), attemptProtocols(other, token))) return true;
  return attempt.outcome === 'silent' && configured.handshake !== other.handshake;
}

const listed = (base: readonly string[]) => base.map((protocol) => JSON.stringify(protocol)).join(', ');

const presents = ({ dialect, token, base }: Presentation) =>
  `"${dialect}" dialect presents it as ${token}${base.length > 0 ? ` (besides ${listed(base)})` : ''}`;

/** What the profile's dialect would need of the one that fits. */
function adopt(configured: Presentation, fits: Presentation): string {
  const needs: string[] = [];
  if (fits.token !== configured.token) needs.push(`a tokenProtocol that presents ${fits.token}`);
  if (listed(fits.base) !== listed(configured.base)) needs.push(`baseProtocols [${listed(fits.base)}]`);
  if (needs.length === 0) needs.push(`the "${fits.dialect}" dialect's handshake recogniser`);
  return needs.join(' and ');
}

function mismatch(evidence: ControlEvidence, fits: Presentation): ControlVerdict {
  const { configured, profile } = evidence;
  return {
    accepted: false,
    cause: 'PROTOCOL_MISMATCH',
    how:
      `the configured ${presents(configured)} (E2E_PROFILE=${profile}): ${judgeRefusal(configured.attempt).how}; ` +
      `the built-in ${presents(fits)}, read with its own handshake recogniser: ${judgeAcceptance(fits.attempt).how}. ` +
      `This deployment reads the token as "${fits.dialect}" does: set E2E_PROFILE to a profile that extends "${fits.dialect}", or give the profile's dialect ${adopt(configured, fits)} (README, "Writing a profile")`,
  };
}

/**
 * The control's verdict: accepted as configured passes (whatever else was tried); refused as
 * configured but accepted as another dialect presents it is PROTOCOL_MISMATCH; refused in every
 * presentation stays what the configured attempt alone says, with the others' answers added.
 */
export function judgeControl(evidence: ControlEvidence): ControlVerdict {
  const verdict = judgeAcceptance(evidence.configured.attempt);
  if (verdict.accepted) return verdict;
  const fits = evidence.others.find((other) => judgeAcceptance(other.attempt).accepted);
  if (fits) return mismatch(evidence, fits);
  const also = evidence.others.map(
    (other) => `; the built-in ${presents(other)}, not accepted either: ${judgeRefusal(other.attempt).how}`,
  );
  return { ...verdict, how: `${verdict.how}${also.join('')}` };
}
