/** Reading what child runs left: tests by kind, attachments, step phases. */
import { readFileSync } from 'node:fs';
import type { FrameMeaning } from '../harness/dialect.ts';
import type { BareResult } from './bare-client.ts';
import type { RunTiming, TestTiming } from './timing-reporter.ts';
import { BARE_TITLE } from './warm-spec.ts';

export const isBare = (test: TestTiming) => test.title === BARE_TITLE;
export const isGolden = (test: TestTiming) =>
  test.project === 'chromium' && !isBare(test) && /golden path/i.test(test.path);

export function goldenTests(timing: RunTiming | undefined): TestTiming[] {
  return (timing?.tests ?? []).filter(isGolden);
}

export function attachmentJson<T>(test: TestTiming, name: string): T | undefined {
  const file = test.attachments[name];
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export const bareResultOf = (test: TestTiming) => attachmentJson<BareResult>(test, 'bench-bare.json');

export interface TimelineEntry {
  type: string;
  ms: number;
  runId?: string;
}

export const timelineOf = (test: TestTiming) =>
  attachmentJson<{ runId?: string; timeline: TimelineEntry[] }>(test, 'agent-run-timeline.json');

export interface TranscriptFrame {
  seq: number;
  direction: 'sent' | 'received';
  at: number;
  ms: number;
  size: number;
  json?: { type?: string; run_id?: string; thread_id?: string; payload?: Record<string, unknown> };
  note?: string;
  /** What the recorder's dialect read in the frame. */
  meaning?: FrameMeaning;
}

export interface Transcript {
  networkFramesReceived?: number;
  frames: TranscriptFrame[];
}

export const transcriptOf = (test: TestTiming) =>
  attachmentJson<Transcript>(test, 'agent-socket-transcript.json');

/** Top-level step durations of one test (fixture setup is "Before Hooks", teardown "After Hooks"). */
export function phases(test: TestTiming): Record<string, number> {
  const out: Record<string, number> = {};
  for (const step of test.steps) {
    if (step.depth !== 0 || step.category === 'test.attach') continue;
    out[step.title] = (out[step.title] ?? 0) + step.durationMs;
  }
  return out;
}

/** Durations of named steps at any depth (e.g. "Launch browser", "Create page"). */
export function stepTotal(test: TestTiming, title: string | RegExp): number {
  return test.steps
    .filter((step) => (typeof title === 'string' ? step.title === title : title.test(step.title)))
    .reduce((sum, step) => sum + step.durationMs, 0);
}

export function firstTestStart(timing: RunTiming, predicate: (test: TestTiming) => boolean): number {
  return Math.min(...timing.tests.filter(predicate).map((test) => test.start));
}

export function lastTestEnd(
  timing: RunTiming,
  predicate: (test: TestTiming) => boolean = () => true,
): number {
  return Math.max(...timing.tests.filter(predicate).map((test) => test.start + test.durationMs));
}
