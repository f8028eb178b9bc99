/**
 * Backend bookkeeping for the reference-only /__platform routes: socket counters and, per
 * run, the server-side send time of each agent event (the last 200 runs are kept).
 */

export interface RunEventRecord {
  type: string;
  sent_at_ms: number;
}

export interface RunRecord {
  run_id: string;
  thread_id: string;
  user_id: string;
  connection_id: string;
  status: 'running' | 'completed' | 'aborted';
  /** Set on a run that was sent to a socket that is not its user's (cross-user-leak fault). */
  leaked_to_user_id?: string;
  events: RunEventRecord[];
}

const MAX_RUNS = 200;
/** How recent another user's run must be to leak: the isolation spec's two runs overlap. */
export const RECENT_RUN_MS = 10_000;

export class RunRegistry {
  readonly stats = {
    connections_total: 0,
    connections_open: 0,
    refused: 0,
    runs_started: 0,
    runs_completed: 0,
    flood_frames_sent: 0,
    /** Sockets accepted with a bad credential (the ws-accepts-* faults). */
    bad_credentials_accepted: 0,
    /** Frames of another user's run sent after a completion (isolation-leak-late, leak-after-completed). */
    late_leak_frames_sent: 0,
  };
  private readonly runs: RunRecord[] = [];
  /** Each run's answer (`agent_completed`'s result), for the ui-shows-other-answer fault. */
  private readonly answers = new Map<string, string>();

  /** Starts a record; leaked runs are recorded but not counted as started or completed. */
  begin(record: Omit<RunRecord, 'status' | 'events'>): RunRecord {
    const run: RunRecord = { ...record, status: 'running', events: [] };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) {
      for (const old of this.runs.splice(0, this.runs.length - MAX_RUNS)) this.answers.delete(old.run_id);
    }
    if (run.leaked_to_user_id === undefined) this.stats.runs_started += 1;
    return run;
  }

  finish(run: RunRecord, status: 'completed' | 'aborted'): void {
    run.status = status;
    if (status === 'completed' && run.leaked_to_user_id === undefined) this.stats.runs_completed += 1;
  }

  list(): readonly RunRecord[] {
    return this.runs;
  }

  noteAnswer(run: RunRecord, answer: string): void {
    this.answers.set(run.run_id, answer);
  }

  /** ui-shows-other-answer: the answer of another user's most recent run, if it is recent. */
  foreignAnswerFor(userId: string): string | undefined {
    const other = this.latestOfOtherUser(userId, RECENT_RUN_MS, true);
    return other === undefined ? undefined : this.answers.get(other.run_id);
  }

  /**
   * The newest run (not a leaked one) of a user other than `userId` that sent an event within
   * the last `withinMs`; with `answered`, only runs that sent their answer.
   */
  latestOfOtherUser(userId: string, withinMs: number, answered = false): RunRecord | undefined {
    const now = Date.now();
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i];
      if (run === undefined || run.user_id === userId || run.leaked_to_user_id !== undefined) continue;
      if (answered && !this.answers.has(run.run_id)) continue;
      const last = run.events.at(-1);
      if (last !== undefined && now - last.sent_at_ms <= withinMs) return run;
    }
    return undefined;
  }
}
