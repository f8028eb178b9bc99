/** The sign-off's input (the evidence a run left) and its output (the verdict). */
import type { AgentEventType } from '../config.ts';
import type { EnvironmentBlock } from '../environment.ts';
import type { Diagnosis } from '../evidence-record.ts';
import type { DriftReport, DriftSettings } from '../latency-drift.ts';
import type { HistoryRun } from '../latency-history.ts';
import type { PreflightResult } from '../preflight.ts';
import type { RunState } from '../run-context.ts';
import type { SkippedCase } from '../skipped-cases.ts';

export type CriterionId =
  | 'services'
  | 'unauthenticated'
  | 'tokens'
  | 'socket'
  | 'events'
  | 'isolation'
  | 'ui';

export type CriterionStatus = 'passed' | 'failed' | 'unproven';

export interface CriterionResult {
  id: CriterionId;
  title: string;
  status: CriterionStatus;
  codes: string[];
  evidence: string;
  tests: string[];
  /** Its cases that did not run, each with the reason: said wherever the criterion is. */
  skipped?: SkippedCase[];
}

export interface Latency {
  event: AgentEventType;
  runs: number;
  p50: number;
  max: number;
}

export interface Failure {
  code?: string;
  title: string;
  summary: string;
  /** The criterion it fails, when its spec decides that rather than its code (SPEC_OWN_CODES). */
  criterion?: CriterionId;
}

export interface Evidence {
  diagnosis?: Diagnosis;
  /** One per machine that ran global setup (one, or one per shard). */
  preflights: PreflightResult[];
  states: RunState[];
  /** Where each piece came from, for the reader. */
  sources: string[];
  /** The env's earlier runs in the latency history (this run not among them), for the drift flag. */
  history?: { runs: HistoryRun[]; settings: DriftSettings };
}

export interface SignoffVerdict {
  verdict: 'APPROVED' | 'REJECTED';
  /** The first cause in journey order; absent when approved. */
  cause?: { code?: string; criterion?: CriterionId; summary: string };
  criteria: CriterionResult[];
  latency: Latency[];
  /** Tonight's latency against the env's earlier runs; absent without a history or a timeline. */
  drift?: Pick<DriftReport, 'state' | 'findings' | 'history' | 'note'>;
  failures: Failure[];
  /** What a reader should know that does not change the verdict (harness/signoff/warnings.ts). */
  warnings: string[];
  outOfScope: { title: string; status: string }[];
  run?: { status: string; startedAt: string; durationMs: number; counts: Record<string, number> };
  context: EnvironmentBlock;
  evidence: string[];
  decidedAt: string;
}
