/**
 * What a socket gets after a run's `agent_completed` under the faults that act once a run is
 * over: frames of another user's run, which only a check that keeps watching (or a second
 * user) can see, and the other user's answer slipped into this run's completion.
 */
import type { WebSocket } from 'ws';
import type { FaultName } from './faults.ts';
import type { Logger } from './log.ts';
import type { RunRecord, RunRegistry } from './run-registry.ts';

/** How recent another user's run must be to leak: the isolation spec's two runs overlap. */
export const RECENT_RUN_MS = 10_000;
const ISOLATION_LEAK_DELAY_MS = 300;

export interface AfterCompletionOptions {
  ws: WebSocket;
  /** Aborted when the socket closes or the service shuts down. */
  signal: AbortSignal;
  registry: RunRegistry;
  record: RunRecord;
  fault: FaultName | undefined;
  log: Logger;
}

/** ui-shows-other-answer: the completion also carries another user's most recent answer, if any. */
export function withForeignAnswer(
  payload: Record<string, unknown>,
  registry: RunRegistry,
  userId: string,
): Record<string, unknown> {
  const other = registry.latestOfOtherUser(userId, RECENT_RUN_MS, true);
  const answer = other === undefined ? undefined : registry.answerOf(other);
  return answer === undefined ? payload : { ...payload, foreign_answer: answer };
}

function later(ms: number, signal: AbortSignal, action: () => void): void {
  const timer = setTimeout(() => {
    signal.removeEventListener('abort', cancel);
    action();
  }, ms);
  const cancel = () => clearTimeout(timer);
  signal.addEventListener('abort', cancel, { once: true });
}

/** isolation-leak-late: one thinking frame of another user's most recent run, if there is one. */
function leakPartnersRun(opts: AfterCompletionOptions): void {
  const { ws, registry, record, log } = opts;
  const other = registry.latestOfOtherUser(record.user_id, RECENT_RUN_MS);
  if (other === undefined || ws.readyState !== ws.OPEN) return;
  ws.send(
    JSON.stringify({
      type: 'agent_thinking',
      run_id: other.run_id,
      thread_id: other.thread_id,
      timestamp: new Date().toISOString(),
      payload: { user_id: other.user_id, thought: 'Reading the notes the user shared.' },
    }),
  );
  registry.stats.late_leak_frames_sent += 1;
  log(`frame of ${other.user_id}'s run ${other.run_id} sent to ${record.user_id} (fault ${opts.fault})`);
}

/** Schedules whatever the active fault sends after this completed run. */
export function afterCompletion(opts: AfterCompletionOptions): void {
  if (opts.record.status !== 'completed') return;
  if (opts.fault === 'isolation-leak-late')
    later(ISOLATION_LEAK_DELAY_MS, opts.signal, () => leakPartnersRun(opts));
}
