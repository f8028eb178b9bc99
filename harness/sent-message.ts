/**
 * Did clicking Send put the page's message on the agent socket? Pure: a function of the frames
 * and sockets recorded since the click, unit-testable like the other verdicts.
 */

import { authenticatedUser } from './connection-verdict.ts';
import { type FrameRecord, type SentMessage, type SocketRecord, userMessageOf } from './frames.ts';
import type { Judgement } from './run-verdict.ts';
import { closeCause, closeOf, describeClose } from './socket-close.ts';

export interface SentMessageInput {
  frames: readonly FrameRecord[];
  /** How many frames there were when Send was clicked. */
  known: number;
  content: string;
  sockets: readonly SocketRecord[];
  agentEndpoint: string;
  elapsedMs: number;
  timeoutMs: number;
}

export function evaluateSentMessage(input: SentMessageInput): Judgement<SentMessage> {
  const { frames, known } = input;
  const message = frames
    .slice(known)
    .map(userMessageOf)
    .find((sent) => sent !== undefined && sent.content === input.content);
  if (message) return { state: 'passed', value: message };
  // The page's latest socket closed by the server after the click, with none newer: the message
  // has nowhere to go. A socket the page closed itself is its own churn.
  const closed = input.sockets.at(-1);
  if (
    closed?.closedAt !== undefined &&
    !closed.closedByPage &&
    closed.closedAt > (frames[known - 1]?.at ?? 0)
  ) {
    const facts = closeOf(closed, authenticatedUser(closed, frames) !== undefined);
    return {
      state: 'failed',
      code: closeCause(facts),
      summary: `the agent socket ${describeClose(facts)} before the page sent the message`,
    };
  }
  if (input.elapsedMs < input.timeoutMs) return { state: 'pending', waitingFor: "the page's message frame" };
  return {
    state: 'failed',
    code: 'UI_NOT_RENDERED',
    summary: `clicking Send did not put the message on ${input.agentEndpoint} within ${input.timeoutMs} ms`,
  };
}
