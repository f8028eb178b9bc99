/**
 * Does one journey carry anything of another's? Its socket must carry no frame that names the
 * other journey's run, thread or user, and its page must not show the other's answer. The
 * identifiers are matched anywhere in a frame, by value: a leak need not sit in the field the
 * dialect reads, so no field name is needed, and none is assumed.
 */
import type { Failure } from './page-error-precedence.ts';

/** What identifies a journey's run on the wire. */
export interface JourneyMarks {
  runId?: string | undefined;
  threadId?: string | undefined;
  userId?: string | undefined;
  answer?: unknown;
}

export interface CarriedFrame {
  seq: number;
  json?: unknown;
}

/** The other journey's identifiers, less the one this journey shares by right (its own run id). */
export function foreignMarks(mine: JourneyMarks, theirs: JourneyMarks): string[] {
  return [theirs.runId, theirs.threadId, theirs.userId].filter(
    (value): value is string => !!value && value !== mine.runId,
  );
}

/** CROSS_USER_LEAK for the first frame on `who`'s socket that names the other journey. */
export function socketLeak(
  who: string,
  frames: readonly CarriedFrame[],
  mine: JourneyMarks,
  theirs: JourneyMarks,
): Failure | undefined {
  const foreign = foreignMarks(mine, theirs);
  const leaked = frames.find((frame) => {
    const text = JSON.stringify(frame.json ?? '');
    return foreign.some((value) => text.includes(value));
  });
  if (!leaked) return undefined;
  return {
    code: 'CROSS_USER_LEAK',
    summary: `frame #${leaked.seq} on ${who}'s socket mentions the other user's run, thread or id`,
  };
}

/** CROSS_USER_LEAK when `who`'s page shows the other journey's answer. */
export function pageLeak(
  who: string,
  answersShown: readonly string[],
  theirs: JourneyMarks,
): Failure | undefined {
  const answer = theirs.answer;
  if (typeof answer !== 'string' || answer === '') return undefined;
  if (!answersShown.some((text) => text.includes(answer))) return undefined;
  return { code: 'CROSS_USER_LEAK', summary: `${who}'s page shows the other user's answer` };
}
