/**
 * 4. Cold start: `npm run golden-path` exactly as a person types it (E2E_ENV=local: the
 * bundled platform on its fixed ports, started by Playwright's webServer), node_modules
 * installed, no token cache. Then the same command with the bench's config wrapper (the
 * project's config plus the timing reporters) for the breakdown:
 *   start-up (npm, prepare, Playwright, config) → platform boot (webServer) → global setup
 *   (preflight, tokens) → worker start → browser launch → tests → worker teardown → reports →
 *   shutdown.
 * Only one E2E_ENV=local run may exist at a time: the fixed ports are checked first.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_CONFIG, type Timed, tail, timeCommand } from '../child.ts';
import { type BenchContext, waitForQuiet } from '../context.ts';
import { goldenTests, stepTotal } from '../results.ts';
import { median, round } from '../stats.ts';
import { type FirstMarks, firstMarksFile, type RunTiming } from '../timing-reporter.ts';

const LOCAL_PORTS = [47811, 47812, 47813];

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Wait until no E2E_ENV=local platform holds the fixed ports; false if it never frees them. */
async function localPortsFree(maxMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const busy = await Promise.all(LOCAL_PORTS.map(portInUse));
    if (!busy.some(Boolean)) return true;
    await sleep(2_000);
  }
  return false;
}

export interface ColdBreakdown {
  startupMs: number;
  platformBootMs: number;
  globalSetupMs: number;
  /** Global setup done → the first test starts: worker processes start and load the specs. */
  workerStartMs: number;
  browserLaunchMs: number;
  testsMs: number;
  workerTeardownMs: number;
  reportsMs: number;
  shutdownMs: number;
}

export interface ColdRun {
  kind: 'literal' | 'breakdown';
  /** BENCH_VARIANT of the bench config (breakdown runs only): a candidate change measured. */
  variant?: string;
  specs: 'all' | 'golden-path';
  tokenCache: 'empty' | 'warm';
  exitCode: number;
  wallMs: number;
  /** Spawn → the first test starts. */
  firstTestMs?: number;
  /** Spawn → the golden-path test starts. */
  firstGoldenMs?: number;
  breakdown?: ColdBreakdown;
  tests?: number;
  failed?: number;
}

export interface ColdResult {
  runs: ColdRun[];
  /** Median wall ms of the literal `npm run golden-path` (whole suite, empty token cache). */
  literalMedianMs: number;
  goldenOnlyMedianMs: number;
  breakdownMedians: Record<string, number>;
  /** Per candidate change (--variants): medians of its breakdown runs, golden path only. */
  variants: Record<string, Record<string, number>>;
  /** Per candidate change: median wall ms of the whole suite with it (when measured). */
  variantsWholeSuite?: Record<string, number>;
  skipped?: string;
}

function lineAt(run: Timed, pattern: RegExp): number | undefined {
  return run.lines.find((line) => pattern.test(line.text))?.ms;
}

function breakdownOf(run: Timed, timing: RunTiming, first: FirstMarks | undefined): Partial<ColdRun> {
  const at = (epoch: number | undefined) => (epoch === undefined ? Number.NaN : epoch - run.spawnedAt);
  const setupStart = lineAt(run, /^\[golden-path\] E2E_ENV=/) ?? Number.NaN;
  const constructed = at(timing.constructedAt);
  const begin = at(timing.beginAt);
  const tests = timing.tests;
  const firstStart = Math.min(...tests.map((test) => test.start));
  const golden = goldenTests(timing)[0];
  const lastEnd = Math.max(...tests.map((test) => test.start + test.durationMs));
  const launches = tests.map((test) => stepTotal(test, /^Launch browser$/)).filter((ms) => ms > 0);
  const breakdown: ColdBreakdown = {
    startupMs: round(constructed),
    platformBootMs: round(setupStart - constructed),
    globalSetupMs: round(begin - setupStart),
    workerStartMs: round(at(firstStart) - begin),
    browserLaunchMs: round(launches.length > 0 ? Math.max(...launches) : Number.NaN),
    testsMs: round(at(lastEnd) - at(firstStart)),
    workerTeardownMs: round(at(first?.onEndAt) - at(lastEnd)),
    reportsMs: round(at(timing.endAt) - at(first?.onEndAt)),
    shutdownMs: round(run.wallMs - at(timing.endAt)),
  };
  return {
    breakdown,
    firstTestMs: round(at(firstStart)),
    ...(golden ? { firstGoldenMs: round(at(golden.start)) } : {}),
    tests: tests.length,
    failed: tests.filter((test) => test.status !== 'passed' && test.status !== 'skipped').length,
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function npmGoldenPath(
  context: BenchContext,
  kind: ColdRun['kind'],
  specs: ColdRun['specs'],
  stateDir?: string,
  variant?: string,
): Promise<ColdRun> {
  const dir = context.dir(`cold-${kind}-${specs}${variant ? `-${variant}` : ''}`);
  const timingFile = path.join(dir, 'timing.json');
  const args = ['run', 'golden-path'];
  const extra = [
    ...(kind === 'breakdown' ? ['--config', BENCH_CONFIG] : []),
    ...(specs === 'golden-path' ? ['golden-path.spec.ts'] : []),
  ];
  if (extra.length > 0) args.push('--', ...extra);
  const run = await timeCommand('npm', args, {
    cleanE2E: true,
    env: {
      E2E_OUTPUT_DIR: dir,
      E2E_STATE_DIR: stateDir ?? path.join(dir, 'state'),
      BENCH_TIMING_FILE: timingFile,
      ...(specs === 'all' ? { BENCH_SPECS: 'all' } : {}),
      ...(variant ? { BENCH_VARIANT: variant } : {}),
    },
    timeoutMs: 300_000,
  });
  const result: ColdRun = {
    kind,
    ...(variant ? { variant } : {}),
    specs,
    tokenCache: stateDir ? 'warm' : 'empty',
    exitCode: run.exitCode,
    wallMs: round(run.wallMs),
  };
  const timing = readJson<RunTiming>(timingFile);
  if (kind === 'breakdown' && timing) {
    Object.assign(result, breakdownOf(run, timing, readJson<FirstMarks>(firstMarksFile(timingFile))));
  } else {
    const running = lineAt(run, /^Running \d+ tests? using/);
    if (running !== undefined) result.firstTestMs = round(running);
  }
  if (run.exitCode !== 0) context.log(`  npm ${args.join(' ')} exited ${run.exitCode}:\n${tail(run, 12)}`);
  return result;
}

export async function cold(context: BenchContext): Promise<ColdResult> {
  const runs: ColdRun[] = [];
  const empty: ColdResult = {
    runs,
    literalMedianMs: Number.NaN,
    goldenOnlyMedianMs: Number.NaN,
    breakdownMedians: {},
    variants: {},
  };
  type Step = [ColdRun['kind'], ColdRun['specs'], string | undefined];
  const wholeSuite: Step[] = [
    ['literal', 'all', undefined],
    ['breakdown', 'all', undefined],
  ];
  const plan: Step[] = [
    ...(context.options.coldSpecs.includes('all') ? wholeSuite : []),
    ['literal', 'golden-path', undefined],
    ['breakdown', 'golden-path', undefined],
    ...context.options.variants.flatMap((variant): Step[] => [
      ...(context.options.coldSpecs.includes('all') ? [['breakdown', 'all', variant] as Step] : []),
      ['breakdown', 'golden-path', variant],
    ]),
  ];
  for (let i = 0; i < context.options.coldRuns; i++) {
    for (const [kind, specs, variant] of plan) {
      await waitForQuiet(context, 'cold start');
      if (!(await localPortsFree(120_000))) {
        const why = 'ports 47811-47813 stayed busy (another E2E_ENV=local run): cold start not measured';
        context.notes.push(why);
        return { ...empty, skipped: why };
      }
      const run = await npmGoldenPath(context, kind, specs, undefined, variant);
      runs.push(run);
      context.log(
        `  ${kind} ${specs}${variant ? ` (${variant})` : ''}: ${run.wallMs} ms (exit ${run.exitCode}${run.firstGoldenMs ? `, golden path started at ${run.firstGoldenMs} ms` : ''})`,
      );
    }
  }
  // With the token cache of a previous run (what a second local run sees).
  if (await localPortsFree(60_000)) {
    const stateDir = path.join(context.dir('cold-cache-state'), 'state');
    await npmGoldenPath(context, 'literal', 'golden-path', stateDir);
    const warmCache = await npmGoldenPath(context, 'breakdown', 'golden-path', stateDir);
    runs.push(warmCache);
    context.log(`  breakdown golden-path, token cache warm: ${warmCache.wallMs} ms`);
  }
  const literal = runs
    .filter((run) => run.kind === 'literal' && run.specs === 'all')
    .map((run) => run.wallMs);
  const goldenOnly = runs
    .filter((run) => run.kind === 'literal' && run.specs === 'golden-path' && run.tokenCache === 'empty')
    .map((run) => run.wallMs);
  const mediansOf = (variant: string | undefined) => {
    const breakdowns = runs.filter(
      (run) =>
        run.kind === 'breakdown' &&
        run.specs === 'golden-path' &&
        run.tokenCache === 'empty' &&
        run.variant === variant,
    );
    const medians: Record<string, number> = {};
    for (const key of Object.keys(breakdowns[0]?.breakdown ?? {}) as (keyof ColdBreakdown)[]) {
      medians[key] = round(median(breakdowns.map((run) => run.breakdown?.[key] ?? Number.NaN)));
    }
    medians.firstGoldenMs = round(median(breakdowns.map((run) => run.firstGoldenMs ?? Number.NaN)));
    medians.firstTestMs = round(median(breakdowns.map((run) => run.firstTestMs ?? Number.NaN)));
    medians.wallMs = round(median(breakdowns.map((run) => run.wallMs)));
    return medians;
  };
  return {
    runs,
    literalMedianMs: round(median(literal)),
    goldenOnlyMedianMs: round(median(goldenOnly)),
    breakdownMedians: mediansOf(undefined),
    variants: Object.fromEntries(context.options.variants.map((variant) => [variant, mediansOf(variant)])),
    variantsWholeSuite: Object.fromEntries(
      context.options.variants.map((variant) => [
        variant,
        round(
          median(
            runs
              .filter((run) => run.specs === 'all' && run.variant === variant && run.tokenCache === 'empty')
              .map((run) => run.wallMs),
          ),
        ),
      ]),
    ),
  };
}
