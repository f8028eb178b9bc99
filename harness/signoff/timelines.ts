/** The event timelines of the sign-off's journeys: all five in contract order, and their latency. */

import { AGENT_EVENTS, type AgentEventType } from '../config.ts';
import type { EvidenceRecord } from '../evidence-record.ts';
import type { TimelineEntry } from '../run-verdict.ts';
import type { Latency } from './verdict.ts';

export interface TimelineCheck {
  ok: boolean;
  /** The first arrival of each event, ms since the message was sent. */
  firsts: Map<AgentEventType, number>;
  why?: string;
}

export interface CheckedRun {
  entry: EvidenceRecord;
  check: TimelineCheck;
}

/** The first arrival of each event, and whether all five are there in contract order. */
export function checkTimeline(timeline: TimelineEntry[]): TimelineCheck {
  const firsts = new Map<AgentEventType, number>();
  for (const entry of timeline) if (!firsts.has(entry.type)) firsts.set(entry.type, entry.ms);
  const missing = AGENT_EVENTS.filter((event) => !firsts.has(event));
  if (missing.length > 0) return { ok: false, firsts, why: `missing ${missing.join(', ')}` };
  const times = AGENT_EVENTS.map((event) => firsts.get(event) ?? 0);
  const inOrder = times.every((ms, index) => index === 0 || ms >= (times[index - 1] ?? 0));
  return inOrder ? { ok: true, firsts } : { ok: false, firsts, why: 'out of contract order' };
}

function percentile(sorted: number[], fraction: number): number {
  const index = Math.max(0, Math.ceil(fraction * sorted.length) - 1);
  return sorted[index] ?? 0;
}

/** p50 and max of each event's first arrival over the runs that saw it. */
export function latencyOf(runs: CheckedRun[]): Latency[] {
  const latency: Latency[] = [];
  for (const event of AGENT_EVENTS) {
    const times = runs
      .map(({ check }) => check.firsts.get(event))
      .filter((ms): ms is number => ms !== undefined)
      .sort((a, b) => a - b);
    if (times.length > 0)
      latency.push({ event, runs: times.length, p50: percentile(times, 0.5), max: times.at(-1) ?? 0 });
  }
  return latency;
}
