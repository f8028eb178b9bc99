/**
 * 6. Latency accuracy: the times the harness measured for each agent event against the
 * platform's own send times (`/__platform/runs`). Both clocks are this machine's wall clock
 * (the browser's performance.timeOrigin + now, the platform's Date.now()), so for each event:
 *   delivery error = harness arrival − server send   (what the harness adds to a latency)
 *   interval error = (harness event − harness agent_started) − (server event − server agent_started)
 * The harness's reported figure (timeline ms since the message, rounded) is checked too:
 *   reported error = timeline ms − (server send − message sent in the browser).
 * The bare client's arrivals give the floor: what the socket and Node alone add.
 */

import type { RunningPlatform } from '../../test/support/platform.ts';
import type { BareResult } from '../bare-client.ts';
import type { BenchContext } from '../context.ts';
import { proc, type ServerRun } from '../platform-stats.ts';
import { goldenTests, timelineOf, transcriptOf } from '../results.ts';
import { percentile, round, roundSummary, type Summary, summarise } from '../stats.ts';
import type { RunTiming } from '../timing-reporter.ts';

const FIVE = new Set([
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
]);

export interface LatencyResult {
  runsMatched: number;
  events: number;
  harness: {
    deliveryMs: Summary;
    intervalErrorMs: Summary;
    reportedErrorMs: Summary;
    maxAbsIntervalErrorMs: number;
  };
  bare: { deliveryMs: Summary; intervalErrorMs: Summary };
}

interface Arrival {
  type: string;
  at: number;
}

/** Pair arrivals with the server's sends of the same run, in order, type by type. */
function pair(arrivals: Arrival[], server: ServerRun): { at: number; sent: number; type: string }[] {
  const pairs: { at: number; sent: number; type: string }[] = [];
  const sends = server.events.filter((event) => FIVE.has(event.type));
  for (let i = 0; i < Math.min(arrivals.length, sends.length); i++) {
    const arrival = arrivals[i] as Arrival;
    const send = sends[i] as { type: string; sent_at_ms: number };
    if (arrival.type !== send.type) break;
    pairs.push({ at: arrival.at, sent: send.sent_at_ms, type: arrival.type });
  }
  return pairs;
}

function errors(pairs: { at: number; sent: number; type: string }[]) {
  const started = pairs.find((p) => p.type === 'agent_started');
  return {
    delivery: pairs.map((p) => p.at - p.sent),
    interval: started ? pairs.map((p) => p.at - started.at - (p.sent - started.sent)) : [],
  };
}

export async function latency(
  _context: BenchContext,
  platform: RunningPlatform,
  warmRun: RunTiming | undefined,
  bareResults: BareResult[],
): Promise<LatencyResult> {
  const serverRuns = new Map((await proc.runs(platform)).map((run) => [run.run_id, run]));
  const delivery: number[] = [];
  const interval: number[] = [];
  const reported: number[] = [];
  let matched = 0;
  for (const test of goldenTests(warmRun)) {
    const transcript = transcriptOf(test);
    const timeline = timelineOf(test);
    const server = timeline?.runId ? serverRuns.get(timeline.runId) : undefined;
    if (!transcript || !timeline || !server) continue;
    matched += 1;
    const arrivals = transcript.frames
      .filter((frame) => frame.direction === 'received' && frame.json?.run_id === server.run_id)
      .filter((frame) => FIVE.has(frame.json?.type ?? ''))
      .map((frame) => ({ type: frame.json?.type ?? '', at: frame.at }));
    const pairs = pair(arrivals, server);
    const found = errors(pairs);
    delivery.push(...found.delivery);
    interval.push(...found.interval);
    const message = transcript.frames.find(
      (frame) => frame.meaning?.kind === 'outgoing' && frame.meaning.message.threadId === server.thread_id,
    );
    if (message) {
      const sends = server.events.filter((event) => FIVE.has(event.type));
      timeline.timeline.forEach((entry, index) => {
        const send = sends[index];
        if (send && send.type === entry.type) reported.push(entry.ms - (send.sent_at_ms - message.at));
      });
    }
  }
  const bareDelivery: number[] = [];
  const bareInterval: number[] = [];
  for (const result of bareResults) {
    const server = result.runId ? serverRuns.get(result.runId) : undefined;
    if (!server) continue;
    const found = errors(
      pair(
        result.events.map((event) => ({ type: event.type, at: event.at })),
        server,
      ),
    );
    bareDelivery.push(...found.delivery);
    bareInterval.push(...found.interval);
  }
  const abs = interval.map(Math.abs);
  return {
    runsMatched: matched,
    events: delivery.length,
    harness: {
      deliveryMs: roundSummary(summarise(delivery), 1),
      intervalErrorMs: roundSummary(summarise(interval), 1),
      reportedErrorMs: roundSummary(summarise(reported), 1),
      maxAbsIntervalErrorMs: round(abs.length ? percentile(abs, 100) : Number.NaN, 1),
    },
    bare: {
      deliveryMs: roundSummary(summarise(bareDelivery), 1),
      intervalErrorMs: roundSummary(summarise(bareInterval), 1),
    },
  };
}
