/**
 * Latency drift: an event whose p50 tonight is more than X % above the median p50 of the same
 * env's last N runs. A warning with its numbers, never a rejection: the budgets decide. With too
 * little history there is nothing to compare against, and the report says so instead of firing.
 */
import type { AgentEventType } from './config.ts';
import type { EventLatency, HistoryRun } from './latency-history.ts';

export interface DriftSettings {
  /** Flag an event when tonight's p50 is more than this many percent above the median. */
  percent: number;
  /** How many earlier runs of the env the median is taken over. */
  nights: number;
  /** Fewer earlier runs than this (with the event) and the event is not judged. */
  minHistory: number;
  /** A rise smaller than this many ms is noise, whatever its percentage. */
  minMs: number;
}

export const DRIFT_DEFAULTS: DriftSettings = { percent: 50, nights: 7, minHistory: 3, minMs: 50 };

export interface DriftFinding {
  event: AgentEventType;
  tonight: number;
  median: number;
  /** How far above the median, in percent (rounded). */
  above: number;
  /** Earlier runs the median is over. */
  over: number;
}

export interface DriftReport {
  /** `checked`: at least one event had enough history; `too-little-history`: none had. */
  state: 'checked' | 'too-little-history';
  findings: DriftFinding[];
  settings: DriftSettings;
  /** Earlier runs of the env considered (at most `nights`). */
  history: number;
  /** One sentence for the verdict. */
  note: string;
}

/**
 * The settings from E2E_DRIFT_PERCENT and E2E_DRIFT_NIGHTS, defaults otherwise; every bad value
 * is named in `problems`, with what a good one looks like.
 */
export function driftSettings(env: NodeJS.ProcessEnv = process.env): {
  settings: DriftSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const read = (name: string, fallback: number, min: number, want: string): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) {
      problems.push(`${name}: "${raw}" is not a whole number ≥ ${min}; want ${want}`);
      return fallback;
    }
    return Number(raw);
  };
  const percent = read('E2E_DRIFT_PERCENT', DRIFT_DEFAULTS.percent, 1, 'a percentage, e.g. 50');
  const nights = read('E2E_DRIFT_NIGHTS', DRIFT_DEFAULTS.nights, 1, 'a number of earlier runs, e.g. 7');
  return {
    settings: { ...DRIFT_DEFAULTS, percent, nights, minHistory: Math.min(DRIFT_DEFAULTS.minHistory, nights) },
    problems,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Tonight's latency against the env's earlier runs (oldest first; tonight's run not among them). */
export function detectDrift(
  tonight: readonly EventLatency[],
  earlier: readonly HistoryRun[],
  settings: DriftSettings = DRIFT_DEFAULTS,
): DriftReport {
  const window = earlier.slice(-settings.nights);
  const findings: DriftFinding[] = [];
  let judged = 0;
  for (const item of tonight) {
    const past = window.flatMap((run) => {
      const event = run.events.get(item.event);
      return event ? [event.p50] : [];
    });
    if (past.length < settings.minHistory) continue;
    judged += 1;
    const middle = median(past);
    const rise = item.p50 - middle;
    const above = middle > 0 ? (rise / middle) * 100 : Number.POSITIVE_INFINITY;
    if (above > settings.percent && rise >= settings.minMs) {
      findings.push({
        event: item.event,
        tonight: item.p50,
        median: middle,
        above: Math.round(above),
        over: past.length,
      });
    }
  }
  const rule = `p50 more than ${settings.percent} % (and ${settings.minMs} ms) above the median of the last ${settings.nights} run(s)`;
  if (judged === 0) {
    return {
      state: 'too-little-history',
      findings,
      settings,
      history: window.length,
      note: `drift not checked: ${window.length} earlier run(s) of this env in the latency history, at least ${settings.minHistory} needed`,
    };
  }
  return {
    state: 'checked',
    findings,
    settings,
    history: window.length,
    note:
      findings.length === 0
        ? `no drift: no event's ${rule}`
        : `drift (a warning; the budgets decide): ${findings.map(describeFinding).join('; ')}`,
  };
}

export function describeFinding(finding: DriftFinding): string {
  return `${finding.event} p50 ${finding.tonight} ms tonight, ${finding.above} % above the median ${finding.median} ms of the last ${finding.over} run(s)`;
}
