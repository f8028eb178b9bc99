/**
 * PROTOCOL_MISMATCH: the socket opened and talks, but the configured dialect reads none of what
 * a step waits for, while another built-in dialect does. Without it a first run against a new
 * platform would end in a timeout or "missing events" and send the team to debug the wrong
 * thing. Never reported while the configured dialect reads what the step waits for.
 */

import { type FrameKind, interpret, type WireDialect } from './dialect.ts';
import type { FrameRecord } from './frames.ts';
import type { Judgement } from './run-verdict.ts';

/** What a step waits for, in the dialect's terms. */
export type Awaited = 'handshake' | 'event' | 'outgoing';

const EXPECTS_KEY: Record<Awaited, keyof WireDialect['expects']> = {
  handshake: 'handshake',
  event: 'event',
  outgoing: 'outgoing',
};

const readable = (kind: FrameKind): kind is Awaited =>
  kind === 'handshake' || kind === 'event' || kind === 'outgoing';

function excerpt(frame: FrameRecord): string {
  const text = JSON.stringify(frame.json) ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Among `frames` (those the step looks at), does the configured dialect read nothing of what the
 * step awaits while another dialect reads it? The failure, if so; the caller masks secrets.
 */
export function protocolMismatch(
  frames: readonly FrameRecord[],
  awaited: Awaited,
  configured: WireDialect,
  others: readonly WireDialect[],
  profile: string,
): Extract<Judgement<never>, { state: 'failed' }> | undefined {
  if (frames.some((frame) => frame.meaning.kind === awaited)) return undefined;
  const unread = frames.filter((frame) => frame.meaning.kind === 'unknown' && frame.json !== undefined);
  for (const other of others) {
    if (other.name === configured.name) continue;
    const samples = new Map<Awaited, FrameRecord>();
    for (const frame of unread) {
      const kind = interpret(other, frame.direction, frame.json).kind;
      if (readable(kind) && !samples.has(kind)) samples.set(kind, frame);
    }
    if (!samples.has(awaited)) continue;
    const quoted = [...samples].map(
      ([kind, frame]) => `    ${kind} (frame #${frame.seq}): ${excerpt(frame)}`,
    );
    return {
      state: 'failed',
      code: 'PROTOCOL_MISMATCH',
      summary:
        `the agent socket talks, but not in the configured dialect "${configured.name}" (E2E_PROFILE=${profile}); ` +
        `its frames fit the "${other.name}" dialect. Looked for ${configured.expects[EXPECTS_KEY[awaited]]}; ` +
        `frames it could not read:\n${quoted.join('\n')}\n  set E2E_PROFILE to a profile that extends "${other.name}" (README, "Writing a profile")`,
    };
  }
  return undefined;
}
