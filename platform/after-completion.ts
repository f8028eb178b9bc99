/**
 * What a socket gets after a run's `agent_completed` under the faults that act once a run is
 * over: one more event of the run, or frames of another user's run, which only a check that
 * keeps watching the socket (or a second user) can see; and the server-close-after-run shape.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { newRunId, sendRunEvent } from './agent-run.ts';
import type { FaultName } from './faults.ts';
import type { Logger } from './log.ts';
import { RECENT_RUN_MS, type RunRecord, type RunRegistry } from './run-registry.ts';

const ISOLATION_LEAK_DELAY_MS = 300;
/** Soon enough after completion that only a check still watching the socket sees it. */
const SOON_AFTER_MS = 100;
const CLOSE_AFTER_RUN_MS = 20;

export interface AfterCompletionOptions {
  ws: WebSocket;
  /** Aborted when the socket closes or the service shuts down. */
  signal: AbortSignal;
  registry: RunRegistry;
  record: RunRecord;
  fault: FaultName | undefined;
  /** The server-close-after-run shape: close 1000 shortly after every completed run. */
  closeAfterRun: boolean;
  /** A seeded user other than the socket's, whose made-up run leak-after-completed starts. */
  otherUserId: string;
  log: Logger;
}

function later(ms: number, signal: AbortSignal, action: () => void): void {
  const timer = setTimeout(() => {
    signal.removeEventListener('abort', cancel);
    action();
  }, ms);
  const cancel = () => clearTimeout(timer);
  signal.addEventListener('abort', cancel, { once: true });
}

/** One frame of another user's most recent run onto this socket, if there is such a run. */
function leakPartnersFrame(opts: AfterCompletionOptions, type: string, said: Record<string, string>): void {
  const { ws, registry, record, log } = opts;
  const other = registry.latestOfOtherUser(record.user_id, RECENT_RUN_MS);
  if (other === undefined || ws.readyState !== ws.OPEN) return;
  ws.send(
    JSON.stringify({
      type,
      run_id: other.run_id,
      thread_id: other.thread_id,
      timestamp: new Date().toISOString(),
      payload: { user_id: other.user_id, ...said },
    }),
  );
  registry.stats.late_leak_frames_sent += 1;
  log(`${type} of ${other.user_id}'s run ${other.run_id} sent to ${record.user_id} (fault ${opts.fault})`);
}

/** isolation-leak-late: one thinking frame of another user's most recent run. */
const leakPartnersRun = (opts: AfterCompletionOptions) =>
  leakPartnersFrame(opts, 'agent_thinking', { thought: 'Reading the notes the user shared.' });

/**
 * leak-in-progress-frame: a progress frame (noise to the run's own verdict) of another user's
 * recent run, right after this run completed. No agent event leaks, so only a check that scans
 * every frame on the socket for the other journey's run, thread and user (the isolation spec's)
 * can see it.
 */
const leakInProgressFrame = (opts: AfterCompletionOptions) =>
  leakPartnersFrame(opts, 'progress', { message: 'Still summarising the notes.' });

/** event-after-completed: one more thinking frame of the run that has just completed. */
function eventOfCompletedRun(opts: AfterCompletionOptions): void {
  const { ws, registry, record } = opts;
  if (ws.readyState !== ws.OPEN) return;
  sendRunEvent(ws, registry, record, 'agent_thinking', {
    user_id: record.user_id,
    thought: 'One more thing, after all.',
  });
}

/** leak-after-completed: the start of another seeded user's run, on this socket. */
function startOfOtherUsersRun(opts: AfterCompletionOptions): void {
  const { ws, registry, record, otherUserId, log } = opts;
  if (ws.readyState !== ws.OPEN) return;
  const leaked = registry.begin({
    run_id: newRunId(),
    thread_id: randomUUID(),
    user_id: otherUserId,
    connection_id: record.connection_id,
    leaked_to_user_id: record.user_id,
  });
  sendRunEvent(ws, registry, leaked, 'agent_started', {
    user_id: otherUserId,
    content_preview: 'Summarise my private notes from yesterday.',
  });
  registry.finish(leaked, 'completed');
  registry.stats.late_leak_frames_sent += 1;
  log(`start of ${otherUserId}'s run ${leaked.run_id} sent to ${record.user_id} (fault ${opts.fault})`);
}

const AFTER_COMPLETION: Partial<
  Record<string, { delayMs: number; send: (opts: AfterCompletionOptions) => void }>
> = {
  'isolation-leak-late': { delayMs: ISOLATION_LEAK_DELAY_MS, send: leakPartnersRun },
  // At once: the frame must be on the socket before the run is judged settled, so that the
  // isolation spec's scan, which follows both runs' verdicts, is sure to have it.
  'leak-in-progress-frame': { delayMs: 0, send: leakInProgressFrame },
  'event-after-completed': { delayMs: SOON_AFTER_MS, send: eventOfCompletedRun },
  'leak-after-completed': { delayMs: SOON_AFTER_MS, send: startOfOtherUsersRun },
};

/** Schedules whatever the active fault sends after this completed run. */
export function afterCompletion(opts: AfterCompletionOptions): void {
  if (opts.record.status !== 'completed') return;
  const action = AFTER_COMPLETION[opts.fault ?? ''];
  if (action !== undefined) later(action.delayMs, opts.signal, () => action.send(opts));
  if (opts.closeAfterRun)
    later(CLOSE_AFTER_RUN_MS, opts.signal, () => {
      if (opts.ws.readyState === opts.ws.OPEN) opts.ws.close(1000, 'normal closure');
    });
}
