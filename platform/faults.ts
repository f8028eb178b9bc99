/**
 * Fault injection: the names PLATFORM_FAULT accepts. One fault per process; each service
 * applies only the faults that concern it and ignores the others.
 */

export const FAULT_NAMES = [
  // health
  'backend-health-500',
  'auth-db-disconnected',
  // tokens
  'bypass-key-rejected',
  'user-missing',
  'foreign-signing-key',
  // login
  'login-rejects-password',
  // netra's sign-in, which has no password: its callback refuses the hand-off
  'login-rejects-callback',
  // socket
  'ws-upgrade-403',
  'ws-close-1008',
  'ws-close-1011',
  'ws-handshake-hang',
  'ws-close-mid-run',
  // events
  'drop-agent_started',
  'drop-agent_thinking',
  'drop-tool_executing',
  'drop-tool_completed',
  'drop-agent_completed',
  'tool-completed-before-executing',
  'completed-before-thinking',
  'agent-started-delayed',
  'cross-user-leak',
  // frontend
  'ui-not-rendered',
  'ui-throws',
  // negative controls: each makes one check of one spec fail
  'ws-accepts-no-token',
  'ws-accepts-garbage-token',
  'ws-accepts-expired-token',
  'ws-accepts-foreign-key',
  'ui-stays-on-dead-chat',
  'ui-never-reconnects',
  'isolation-leak-late',
  'leak-in-progress-frame',
  'ui-shows-other-answer',
  // exact verdicts: breaks of the contract the first faults did not cover
  'ws-revoke-on-message',
  'ws-rate-limit-on-message',
  'ws-close-1000-mid-run',
  'run-stalls',
  'event-after-completed',
  'leak-after-completed',
  'jwks-500',
  'frontend-down',
  'ui-events-without-answer',
  'ui-answer-without-tools',
  'ui-renders-late',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(value: string): value is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(value);
}

export class UnknownFaultError extends Error {
  constructor(readonly faultName: string) {
    super(`unknown PLATFORM_FAULT "${faultName}"; valid names: ${FAULT_NAMES.join(', ')}`);
    this.name = 'UnknownFaultError';
  }
}

/** Empty or "none" means no fault. Anything else must be a known name. */
export function parseFault(raw: string | undefined): FaultName | undefined {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'none') return undefined;
  if (!isFaultName(value)) throw new UnknownFaultError(value);
  return value;
}

/** The agent event a `drop-<type>` fault removes, if the fault is one of those. */
export function droppedEventType(fault: FaultName | undefined): string | undefined {
  return fault?.startsWith('drop-') ? fault.slice('drop-'.length) : undefined;
}
