/**
 * Event latency across runs: every run adds one line per event type to a JSON-lines file (env,
 * commit, date, p50 and max of the event's first arrival), and the trend picture and the drift
 * flag read it back. The file lives beside the Allure history and, like it, is kept between CI
 * runs by a cache; its path is `E2E_LATENCY_HISTORY`, else `<state dir>/latency-history.jsonl`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_EVENTS, type AgentEventType } from './config.ts';
import type { TimelineEntry } from './run-verdict.ts';

export interface LatencyRecord {
  env: string;
  /** Which run: its start time, as diagnosis.json gives it. One run's lines share it. */
  run: string;
  commit?: string;
  /** When the run was recorded (ISO). */
  date: string;
  event: AgentEventType;
  /** Runs of the event (timelines) the numbers are over. */
  runs: number;
  p50: number;
  max: number;
}

export type EventLatency = Pick<LatencyRecord, 'event' | 'runs' | 'p50' | 'max'>;

/** One run in the history: its lines, keyed by event. */
export interface HistoryRun {
  env: string;
  run: string;
  commit?: string;
  date: string;
  events: Map<AgentEventType, EventLatency>;
}

export const DEFAULT_HISTORY_FILE = 'latency-history.jsonl';

/** Where the history is: E2E_LATENCY_HISTORY, else the state folder's latency-history.jsonl. */
export function latencyHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(
    env.E2E_LATENCY_HISTORY || path.join(env.E2E_STATE_DIR || '.golden-path', DEFAULT_HISTORY_FILE),
  );
}

/** The value at `fraction` of a sorted list (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? 0;
}

/** p50 and max of each event's first arrival, over the timelines given (one per test run). */
export function eventLatency(timelines: readonly (readonly TimelineEntry[])[]): EventLatency[] {
  const latency: EventLatency[] = [];
  for (const event of AGENT_EVENTS) {
    const times = timelines
      .map((timeline) => timeline.find((entry) => entry.type === event)?.ms)
      .filter((ms): ms is number => ms !== undefined)
      .sort((a, b) => a - b);
    if (times.length > 0) {
      latency.push({ event, runs: times.length, p50: percentile(times, 0.5), max: times.at(-1) ?? 0 });
    }
  }
  return latency;
}

/** The history's lines; lines that are not records (a cut-off write) are skipped. */
export function readLatencyHistory(file: string): LatencyRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line.trim()) return [];
      try {
        const record = JSON.parse(line) as Partial<LatencyRecord>;
        const ok =
          typeof record.env === 'string' &&
          typeof record.run === 'string' &&
          typeof record.p50 === 'number' &&
          typeof record.max === 'number' &&
          (AGENT_EVENTS as readonly string[]).includes(record.event ?? '');
        return ok ? [record as LatencyRecord] : [];
      } catch {
        return [];
      }
    });
}

/**
 * Add one run's lines, unless the history already has that run (the run's reporter, the shard
 * merge and the sign-off may each record the same run). Returns whether it wrote.
 */
export function appendLatencyHistory(
  file: string,
  run: { env: string; run: string; commit?: string; date: string },
  latency: readonly EventLatency[],
): boolean {
  if (latency.length === 0) return false;
  if (readLatencyHistory(file).some((record) => record.env === run.env && record.run === run.run))
    return false;
  const lines = latency.map((item) =>
    JSON.stringify({
      env: run.env,
      run: run.run,
      ...(run.commit ? { commit: run.commit } : {}),
      date: run.date,
      event: item.event,
      runs: item.runs,
      p50: item.p50,
      max: item.max,
    } satisfies LatencyRecord),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${lines.join('\n')}\n`);
  return true;
}

/** The runs of `env`, oldest first (by run start), each with its events. */
export function historyRuns(records: readonly LatencyRecord[], env: string): HistoryRun[] {
  const runs = new Map<string, HistoryRun>();
  for (const record of records) {
    if (record.env !== env) continue;
    let run = runs.get(record.run);
    if (!run) {
      run = {
        env,
        run: record.run,
        ...(record.commit ? { commit: record.commit } : {}),
        date: record.date,
        events: new Map(),
      };
      runs.set(record.run, run);
    }
    run.events.set(record.event, {
      event: record.event,
      runs: record.runs,
      p50: record.p50,
      max: record.max,
    });
  }
  return [...runs.values()].sort((a, b) => a.run.localeCompare(b.run));
}

/** What a run's diagnosis holds that the history needs. */
export interface RunTimelines {
  startedAt: string;
  tests: readonly { timeline?: readonly TimelineEntry[] }[];
}

/**
 * Record a finished run: p50 and max of each event over every test that left a timeline.
 * Returns whether it wrote (nothing when no test had a timeline, or the run is there already).
 */
export function recordRunLatency(
  file: string,
  diagnosis: RunTimelines,
  where: { env: string; commit?: string | undefined },
  now = new Date(),
): boolean {
  const timelines = diagnosis.tests.flatMap((test) => (test.timeline ? [test.timeline] : []));
  return appendLatencyHistory(
    file,
    {
      env: where.env,
      run: diagnosis.startedAt,
      ...(where.commit ? { commit: where.commit } : {}),
      date: now.toISOString(),
    },
    eventLatency(timelines),
  );
}
