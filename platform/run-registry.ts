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

export class RunRegistry {
  readonly stats = {
    connections_total: 0,
    connections_open: 0,
    refused: 0,
    runs_started: 0,
    runs_completed: 0,
    flood_frames_sent: 0,
  };
  private readonly runs: RunRecord[] = [];

  /** Starts a record; leaked runs are recorded but not counted as started or completed. */
  begin(record: Omit<RunRecord, 'status' | 'events'>): RunRecord {
    const run: RunRecord = { ...record, status: 'running', events: [] };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.runs.splice(0, this.runs.length - MAX_RUNS);
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
}
