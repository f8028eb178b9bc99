/**
 * 1. Overhead: the bare protocol client against the golden-path spec on one platform, in the
 * same run, alternated. Warm: one Playwright worker (browser up) runs bare, spec, bare, spec…
 * from a generated spec file; the first pair (worker and browser start) is dropped. Whole
 * process: a bare-client process against a `playwright test golden-path.spec.ts` process,
 * alternated. In-process, the same journey with plain Playwright and no harness gives the UI
 * floor: what the browser and the pages cost before the harness adds anything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../harness/run-context.ts';
import { harnessEnv, PLATFORM_DEFAULTS, type RunningPlatform } from '../../test/support/platform.ts';
import type { BareOptions, BareResult } from '../bare-client.ts';
import { bareJourney } from '../bare-client.ts';
import { browserJourney } from '../browser-journey.ts';
import { runPlaywright, tail, timeCommand } from '../child.ts';
import { type BenchContext, waitForQuiet } from '../context.ts';
import { bareResultOf, goldenTests, isBare, phases, stepTotal } from '../results.ts';
import { median, round, roundSummary, type Summary, summarise } from '../stats.ts';
import type { RunTiming, TestTiming } from '../timing-reporter.ts';
import { writeWarmSpec } from '../warm-spec.ts';

export interface WholeProcess {
  bare: Summary;
  spec: Summary;
  ratio: number;
  failures: number;
}

export interface OverheadResult {
  iterations: number;
  warm: {
    bare: Summary;
    spec: Summary;
    ratio: number;
    overheadMs: number;
    failures: number;
    /** Median ms of each top-level step of the spec (Before Hooks = fixtures, After Hooks = teardown). */
    specPhases: Record<string, number>;
    /** Median ms of selected Playwright calls inside the spec. */
    specCalls: Record<string, number>;
    /** The warm spec with E2E_TRACE=off (the default records a trace and drops it on a pass). */
    specTraceOff?: Summary;
    /** The dropped first spec run: browser launch included. */
    firstSpecMs: number;
    browserLaunchMs: number;
  };
  uiFloor: { plainPlaywright: Summary; bare: Summary; ratio: number; failures: number };
  /** Not measured in --quick. */
  wholeProcess?: WholeProcess;
  /** Kept for the latency section: the warm run's timing and the bare results. */
  warmRun?: RunTiming;
  bareResults?: BareResult[];
}

const CALLS: Record<string, RegExp> = {
  'Create context': /^Create context$/,
  'Create page': /^Create page$/,
  'journey fixture': /^Fixture "journey"$/,
  Navigate: /^Navigate/,
  Fill: /^Fill/,
  Click: /^Click/,
  'Close context': /^Close context$/,
};

function medianOf(tests: TestTiming[], pick: (test: TestTiming) => number): number {
  return round(median(tests.map(pick)));
}

export async function overhead(context: BenchContext, platform: RunningPlatform): Promise<OverheadResult> {
  const { iterations } = context.options;
  const env = harnessEnv(platform.urls, context.childEnv);
  const email = PLATFORM_DEFAULTS.users[0] as string;
  const bareOptions: BareOptions = {
    authUrl: platform.urls.auth,
    wsUrl: platform.urls.ws,
    bypassKey: PLATFORM_DEFAULTS.bypassKey,
    email,
  };

  // Warm, in one worker. The first pair (worker start, browser launch) is dropped, except in
  // --quick, where only the shape of the numbers matters.
  const warmup = context.options.quick ? 0 : 1;
  await waitForQuiet(context, 'overhead (warm)');
  context.log(`  warm: bare client and golden-path spec alternated, ${iterations} + ${warmup} warm-up each`);
  const warmDir = context.dir('overhead-warm');
  const spec = writeWarmSpec(warmDir, iterations + warmup, true);
  const warm = await runPlaywright({
    dir: warmDir,
    args: ['--workers=1'],
    env: { ...env, BENCH_SPEC_FILE: spec },
    keepAttachments: true,
  });
  const chromium = (warm.timing?.tests ?? []).filter((test) => test.project === 'chromium');
  if (chromium.length === 0) throw new Error(`the warm run ran no test:\n${tail(warm)}`);
  const golden = goldenTests(warm.timing);
  const bares = chromium.filter(isBare);
  const warmGolden = golden.slice(warmup).filter((test) => test.status === 'passed');
  const warmBare = bares
    .slice(warmup)
    .map(bareResultOf)
    .filter((result): result is BareResult => result?.ok === true);
  const failures = chromium.filter((test) => test.status !== 'passed').length;
  const bareSummary = summarise(warmBare.map((result) => result.totalMs));
  const specSummary = summarise(warmGolden.map((test) => test.durationMs));
  const specPhases: Record<string, number> = {};
  for (const title of Object.keys(phases(warmGolden[0] ?? golden[0] ?? ({ steps: [] } as never)))) {
    specPhases[title] = medianOf(warmGolden, (test) => phases(test)[title] ?? 0);
  }
  const specCalls: Record<string, number> = {};
  for (const [name, pattern] of Object.entries(CALLS)) {
    specCalls[name] = medianOf(warmGolden, (test) => stepTotal(test, pattern));
  }
  const first = golden[0];

  // The same warm spec with tracing off: what the default trace mode (retain-on-failure, a
  // trace recorded for every test and dropped when it passes) costs a passing test.
  let traceOff: Summary | undefined;
  if (!context.options.quick) {
    await waitForQuiet(context, 'overhead (warm, tracing off)');
    context.log(`  warm, tracing off: golden-path spec only, ${iterations} + ${warmup} warm-up`);
    const offDir = context.dir('overhead-warm-trace-off');
    const off = await runPlaywright({
      dir: offDir,
      args: ['--workers=1'],
      env: { ...env, E2E_TRACE: 'off', BENCH_SPEC_FILE: writeWarmSpec(offDir, iterations + warmup, false) },
    });
    traceOff = summarise(
      goldenTests(off.timing)
        .slice(warmup)
        .filter((test) => test.status === 'passed')
        .map((test) => test.durationMs),
    );
  }

  // The UI floor, in-process: plain Playwright against the bare client, alternated.
  await waitForQuiet(context, 'overhead (UI floor)');
  // Here too the first pair (first page of the browser, first connections) is dropped.
  context.log(
    `  UI floor: plain Playwright journey and bare client in-process, ${iterations} + ${warmup} each`,
  );
  const browser = await context.browser();
  const plain: number[] = [];
  const inProcessBare: number[] = [];
  let floorFailures = 0;
  for (let i = 0; i < iterations + warmup; i++) {
    const bare = await bareJourney(bareOptions);
    const page = await browserJourney(browser, platform.urls, {
      email,
      password: PLATFORM_DEFAULTS.password,
    });
    if (!bare.ok || !page.ok) floorFailures += 1;
    if (i < warmup) continue;
    if (bare.ok) inProcessBare.push(bare.totalMs);
    if (page.ok) plain.push(page.totalMs);
  }

  // Whole processes: a Playwright child and a tsx child per iteration, start-up costs the runs
  // above already pay. --quick (the self-test) skips them: the other sections' children keep
  // runPlaywright and timeCommand exercised, and this loop is what adds them up.
  const whole = context.options.quick ? undefined : await wholeProcess(context, env, bareOptions);
  const floorPlain = summarise(plain);
  const floorBare = summarise(inProcessBare);

  return {
    iterations,
    warm: {
      bare: roundSummary(bareSummary),
      spec: roundSummary(specSummary),
      ratio: round(specSummary.median / bareSummary.median, 2),
      overheadMs: round(specSummary.median - bareSummary.median),
      failures,
      specPhases,
      specCalls,
      ...(traceOff ? { specTraceOff: roundSummary(traceOff) } : {}),
      firstSpecMs: round(first?.durationMs ?? Number.NaN),
      browserLaunchMs: round(first ? stepTotal(first, /^Launch browser$/) : Number.NaN),
    },
    uiFloor: {
      plainPlaywright: roundSummary(floorPlain),
      bare: roundSummary(floorBare),
      ratio: round(floorPlain.median / floorBare.median, 2),
      failures: floorFailures,
    },
    ...(whole ? { wholeProcess: whole } : {}),
    ...(warm.timing ? { warmRun: warm.timing } : {}),
    bareResults: warmBare,
  };
}

/** A bare-client process against a `playwright test golden-path.spec.ts` process, alternated. */
async function wholeProcess(
  context: BenchContext,
  env: Record<string, string>,
  bareOptions: BareOptions,
): Promise<WholeProcess> {
  const { iterations } = context.options;
  await waitForQuiet(context, 'overhead (whole process)');
  context.log(
    `  whole process: bare-client process and playwright-test process alternated, ${iterations} each`,
  );
  const stateDir = path.join(context.dir('overhead-whole-state'), 'state');
  mkdirSync(stateDir, { recursive: true });
  const bareWall: number[] = [];
  const specWall: number[] = [];
  let wholeFailures = 0;
  for (let i = 0; i < iterations; i++) {
    const bare = await timeCommand(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'bare-client.ts'), JSON.stringify(bareOptions)],
      { cleanE2E: true },
    );
    if (bare.exitCode === 0) bareWall.push(bare.wallMs);
    else wholeFailures += 1;
    const run = await runPlaywright({
      dir: context.dir(`overhead-whole-${i + 1}`),
      args: ['golden-path.spec.ts'],
      env,
      timingReporter: false,
      stateDir,
    });
    if (run.exitCode === 0) specWall.push(run.wallMs);
    else {
      wholeFailures += 1;
      context.log(`  whole-process spec run ${i + 1} failed:\n${tail(run, 10)}`);
    }
  }
  const wholeBare = summarise(bareWall);
  const wholeSpec = summarise(specWall);
  return {
    bare: roundSummary(wholeBare),
    spec: roundSummary(wholeSpec),
    ratio: round(wholeSpec.median / wholeBare.median, 2),
    failures: wholeFailures,
  };
}
