/**
 * 3. Concurrency: N workers, each with its own user and its own browser, sharing the golden
 * paths of a generated spec (N × paths-per-worker copies; fullyParallel spreads them), so a
 * worker's browser stays up between its golden paths as in a real suite. Throughput is
 * golden paths per minute over the test phase (first test start → last test end); latency is
 * p95 of agent_completed since the message; memory is the peak sum of RSS (and PSS) over the
 * Playwright process tree, sampled from /proc every 200 ms.
 */

import { harnessEnv, type RunningPlatform } from '../../test/support/platform.ts';
import { runPlaywright, tail } from '../child.ts';
import { type BenchContext, loadAverage, waitForQuiet } from '../context.ts';
import { goldenTests, timelineOf } from '../results.ts';
import { percentile, round } from '../stats.ts';
import { writeWarmSpec } from '../warm-spec.ts';

export const BENCH_USERS = Array.from({ length: 8 }, (_, i) => `bench-user-${i + 1}@example.test`);

export interface ConcurrencyLevel {
  workers: number;
  goldenPaths: number;
  passed: number;
  failed: number;
  testPhaseMs: number;
  wallMs: number;
  pathsPerMinute: number;
  /** Including start-up and reports: golden paths per minute of the whole process. */
  pathsPerMinuteWhole: number;
  p50AgentCompletedMs: number;
  p95AgentCompletedMs: number;
  p95TestMs: number;
  peakRssMiB: number;
  peakPssMiB: number;
  peakProcesses: number;
  cpuS: number;
  /** CPU seconds per process name (chromium, node): who uses the cores. */
  cpuByProcess: Record<string, number>;
  /** CPU seconds per passed golden path: 2 cores × 60 s / this bounds golden paths per minute. */
  cpuPerPathS: number;
  /** CPU seconds per wall second over the whole run (2.0 = both cores busy throughout). */
  coresBusy: number;
  loadAverage: number[];
  errors: string[];
}

export interface ConcurrencyResult {
  pathsPerWorker: number;
  levels: ConcurrencyLevel[];
  /** The first level whose throughput gained less than 15 % over the previous one. */
  stopsScalingAt: number | undefined;
}

export async function concurrency(
  context: BenchContext,
  platform: RunningPlatform,
): Promise<ConcurrencyResult> {
  const { pathsPerWorker } = context.options;
  const env = harnessEnv(platform.urls, { E2E_USERS: BENCH_USERS.join(',') });
  const levels: ConcurrencyLevel[] = [];
  for (const workers of context.options.concurrency) {
    await waitForQuiet(context, `concurrency ${workers}`);
    const dir = context.dir(`concurrency-${workers}`);
    const goldenPaths = workers * pathsPerWorker;
    const spec = writeWarmSpec(dir, goldenPaths, false);
    const run = await runPlaywright({
      dir,
      args: [`--workers=${workers}`],
      env: { ...env, BENCH_SPEC_FILE: spec },
      keepAttachments: true,
      sample: true,
    });
    const tests = goldenTests(run.timing);
    const passed = tests.filter((test) => test.status === 'passed');
    const start = Math.min(...tests.map((test) => test.start));
    const end = Math.max(...tests.map((test) => test.start + test.durationMs));
    const phaseMs = end - start;
    const completed = passed
      .map((test) => timelineOf(test)?.timeline.find((entry) => entry.type === 'agent_completed')?.ms)
      .filter((ms): ms is number => typeof ms === 'number');
    const usage = run.usage;
    const errors = [...new Set(tests.filter((t) => t.status !== 'passed').map((t) => t.error ?? t.status))];
    if (tests.length === 0) errors.push(tail(run, 8));
    const level: ConcurrencyLevel = {
      workers,
      goldenPaths,
      passed: passed.length,
      failed: tests.length - passed.length,
      testPhaseMs: round(phaseMs),
      wallMs: round(run.wallMs),
      pathsPerMinute: round((passed.length / phaseMs) * 60_000, 1),
      pathsPerMinuteWhole: round((passed.length / run.wallMs) * 60_000, 1),
      p50AgentCompletedMs: round(percentile(completed, 50)),
      p95AgentCompletedMs: round(percentile(completed, 95)),
      p95TestMs: round(
        percentile(
          passed.map((test) => test.durationMs),
          95,
        ),
      ),
      peakRssMiB: usage?.peakRssMiB ?? Number.NaN,
      peakPssMiB: usage?.peakPssMiB ?? Number.NaN,
      peakProcesses: usage?.peakProcesses ?? 0,
      cpuS: usage?.cpuS ?? Number.NaN,
      cpuByProcess: usage?.cpuByName ?? {},
      cpuPerPathS: round((usage?.cpuS ?? Number.NaN) / passed.length, 2),
      coresBusy: round((usage?.cpuS ?? Number.NaN) / (run.wallMs / 1000), 2),
      loadAverage: loadAverage(),
      errors,
    };
    levels.push(level);
    context.log(
      `  ${workers} worker(s): ${level.passed}/${goldenPaths} passed, ${level.pathsPerMinute}/min, p95 agent_completed ${level.p95AgentCompletedMs} ms, peak RSS ${level.peakRssMiB} MiB`,
    );
  }
  let stopsScalingAt: number | undefined;
  for (let i = 1; i < levels.length; i++) {
    const previous = levels[i - 1] as ConcurrencyLevel;
    const current = levels[i] as ConcurrencyLevel;
    if (current.pathsPerMinute < previous.pathsPerMinute * 1.15) {
      stopsScalingAt = current.workers;
      break;
    }
  }
  return { pathsPerWorker, levels, stopsScalingAt };
}
