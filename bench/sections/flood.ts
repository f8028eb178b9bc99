/**
 * 2. Frame capture under flood. The platform sends K heartbeat frames as fast as the socket
 * takes them in the middle of each run (PLATFORM_FLOOD_FRAMES). Sent is the platform's own
 * count; recorded is what the harness's transcript holds (and `networkFramesReceived`, what
 * Playwright saw on the wire). Each flood frame carries its sequence number, so a loss is
 * seen as a gap, not only as a short count. Tracing off and on.
 *
 * The recorder's cost, in-process: the same browser journey with and without the recorder,
 * alternated, on one warm browser; and the bare client's time through the same flood.
 */

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { harnessEnv, PLATFORM_DEFAULTS, type RunningPlatform } from '../../test/support/platform.ts';
import { bareJourney } from '../bare-client.ts';
import { browserJourney, harnessFor } from '../browser-journey.ts';
import { runPlaywright, tail } from '../child.ts';
import { type BenchContext, waitForQuiet } from '../context.ts';
import { proc } from '../platform-stats.ts';
import { goldenTests, stepTotal, timelineOf, transcriptOf } from '../results.ts';
import { median, round, roundSummary, type Summary, summarise } from '../stats.ts';

export interface FloodRun {
  trace: string;
  passed: boolean;
  error?: string;
  floodSent: number;
  floodRecorded: number;
  /** Flood sequence numbers missing from the transcript (gaps). */
  floodMissing: number;
  duplicates: number;
  framesRecorded: number;
  networkFramesReceived: number;
  testMs: number;
  /** ms from the message to agent_completed, on the browser clock. */
  agentCompletedMs: number;
  /** The "five agent events" step: the harness waiting for and judging the run. */
  waitStepMs: number;
  transcriptBytes: number;
  traceBytes: number;
}

export interface FloodResult {
  frames: number;
  runs: FloodRun[];
  lost: { off: number; on: number };
  bare: { runMs: Summary; floodReceived: number[] };
  recorderCost: {
    iterations: number;
    without: { runMs: Summary; nodeCpuS: number; browserCpuS: number };
    with: {
      runMs: Summary;
      recorderRunMs: Summary;
      nodeCpuS: number;
      browserCpuS: number;
      framesRecorded: number[];
    };
    extraMs: number;
    failures: number;
  };
}

function sizeOfTraces(dir: string): number {
  let total = 0;
  const walk = (folder: string) => {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (entry.endsWith('.zip')) total += stat.size;
    }
  };
  walk(dir);
  return total;
}

/** Of `sent` flood frames (sequence numbers 0…sent-1), how many the transcript holds, lacks, repeats. */
export function floodLoss(
  seqs: readonly number[],
  sent: number,
): { recorded: number; missing: number; duplicates: number } {
  const unique = new Set(seqs);
  let missing = 0;
  for (let seq = 0; seq < sent; seq++) if (!unique.has(seq)) missing += 1;
  return { recorded: unique.size, missing, duplicates: seqs.length - unique.size };
}

export async function flood(context: BenchContext, platform: RunningPlatform): Promise<FloodResult> {
  const { floodFrames, floodRuns } = context.options;
  const env = harnessEnv(platform.urls, context.childEnv);
  const runs: FloodRun[] = [];
  for (let i = 0; i < floodRuns; i++) {
    for (const trace of ['off', 'on']) {
      await waitForQuiet(context, `flood (trace ${trace})`);
      const before = await proc.api(platform);
      const dir = context.dir(`flood-trace-${trace}-${i + 1}`);
      const run = await runPlaywright({
        dir,
        args: ['--workers=1'],
        env: { ...env, E2E_TRACE: trace },
        keepAttachments: true,
      });
      const after = await proc.api(platform);
      const test = goldenTests(run.timing)[0];
      const transcript = test ? transcriptOf(test) : undefined;
      const frames = transcript?.frames ?? [];
      const seqs = frames
        .map((frame) => frame.json?.payload?.flood_seq)
        .filter((seq): seq is number => typeof seq === 'number');
      const sent = after.flood_frames_sent - before.flood_frames_sent;
      const { recorded, missing, duplicates } = floodLoss(seqs, sent);
      const completed = test
        ? timelineOf(test)?.timeline.find((entry) => entry.type === 'agent_completed')
        : undefined;
      const transcriptFile = test?.attachments['agent-socket-transcript.json'];
      const entry: FloodRun = {
        trace,
        passed: test?.status === 'passed',
        ...(test?.error ? { error: test.error } : run.exitCode !== 0 && !test ? { error: tail(run, 5) } : {}),
        floodSent: sent,
        floodRecorded: recorded,
        floodMissing: missing,
        duplicates,
        framesRecorded: frames.length,
        networkFramesReceived: transcript?.networkFramesReceived ?? Number.NaN,
        testMs: round(test?.durationMs ?? Number.NaN),
        agentCompletedMs: completed?.ms ?? Number.NaN,
        waitStepMs: round(test ? stepTotal(test, /five agent events/) : Number.NaN),
        transcriptBytes: transcriptFile ? statSync(transcriptFile).size : 0,
        traceBytes: sizeOfTraces(path.join(dir, 'test-results')),
      };
      runs.push(entry);
      context.log(
        `  trace ${trace}: sent ${entry.floodSent}, recorded ${entry.floodRecorded}, missing ${entry.floodMissing}, test ${entry.testMs} ms${entry.passed ? '' : ` (FAILED: ${entry.error ?? 'no result'})`}`,
      );
    }
  }

  // The bare client through the same flood.
  const bareRuns = [];
  for (let i = 0; i < Math.max(1, floodRuns); i++) {
    bareRuns.push(
      await bareJourney({
        authUrl: platform.urls.auth,
        wsUrl: platform.urls.ws,
        bypassKey: PLATFORM_DEFAULTS.bypassKey,
        email: PLATFORM_DEFAULTS.users[0] as string,
      }),
    );
  }

  // The recorder's cost: the same in-process journey without and with it, alternated.
  await waitForQuiet(context, 'flood (recorder cost)');
  const iterations = context.options.quick ? 1 : Math.max(3, floodRuns * 2);
  const warmup = context.options.quick ? 0 : 1;
  context.log(
    `  recorder cost: in-process journey without/with the recorder, ${iterations} + ${warmup} each`,
  );
  const harness = harnessFor(platform.urls, context.dir('flood-recorder-state'));
  const browser = await context.browser();
  const without: Awaited<ReturnType<typeof browserJourney>>[] = [];
  const withRecorder: Awaited<ReturnType<typeof browserJourney>>[] = [];
  let failures = 0;
  const user = { email: PLATFORM_DEFAULTS.users[1] as string, password: PLATFORM_DEFAULTS.password };
  for (let i = 0; i < iterations + warmup; i++) {
    const plain = await browserJourney(browser, platform.urls, user);
    const recorded = await browserJourney(browser, platform.urls, user, harness);
    if (!plain.ok || !recorded.ok) {
      failures += 1;
      context.log(`  recorder-cost iteration failed: ${plain.error ?? recorded.error}`);
    }
    if (i < warmup) continue;
    if (plain.ok) without.push(plain);
    if (recorded.ok) withRecorder.push(recorded);
  }
  const cpu = (list: typeof without, key: 'nodeCpuS' | 'browserCpuS') =>
    round(median(list.map((r) => r[key])), 2);
  const withoutRun = summarise(without.map((r) => r.runMs));
  const withRun = summarise(withRecorder.map((r) => r.runMs));
  const lostIn = (trace: string) =>
    runs.filter((run) => run.trace === trace).reduce((sum, run) => sum + run.floodMissing, 0);

  return {
    frames: floodFrames,
    runs,
    lost: { off: lostIn('off'), on: lostIn('on') },
    bare: {
      runMs: roundSummary(summarise(bareRuns.filter((r) => r.ok).map((r) => r.runMs))),
      floodReceived: bareRuns.map((r) => r.floodFramesReceived),
    },
    recorderCost: {
      iterations,
      without: {
        runMs: roundSummary(withoutRun),
        nodeCpuS: cpu(without, 'nodeCpuS'),
        browserCpuS: cpu(without, 'browserCpuS'),
      },
      with: {
        runMs: roundSummary(withRun),
        recorderRunMs: roundSummary(summarise(withRecorder.map((r) => r.recorderRunMs ?? Number.NaN))),
        nodeCpuS: cpu(withRecorder, 'nodeCpuS'),
        browserCpuS: cpu(withRecorder, 'browserCpuS'),
        framesRecorded: withRecorder.map((r) => r.framesRecorded ?? 0),
      },
      extraMs: round(withRun.median - withoutRun.median),
      failures,
    },
  };
}
