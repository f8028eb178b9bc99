/**
 * `npm run bench`: how much the golden-path harness costs, measured on this machine.
 *   node --import tsx bench/run.ts [--quick] [--sections=overhead,flood,...] [--iterations=10]
 *     [--flood-frames=10000] [--flood-runs=2] [--concurrency=1,2,4,8] [--paths-per-worker=3]
 *     [--cold-runs=2] [--out=bench/results.json] [--no-quiet-wait]
 * Prints a table and writes the results (with the machine's details) as JSON. See BENCHMARKS.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../harness/run-context.ts';
import { PLATFORM_DEFAULTS, type RunningPlatform, startPlatform } from '../test/support/platform.ts';
import {
  type BenchContext,
  type BenchOptions,
  createContext,
  loadAverage,
  SECTION_NAMES,
  type SectionName,
} from './context.ts';
import { describeMachine } from './machine.ts';
import { formatTable, type Results, targetsOf } from './report.ts';
import { cold } from './sections/cold.ts';
import { BENCH_USERS, concurrency } from './sections/concurrency.ts';
import { flood } from './sections/flood.ts';
import { latency } from './sections/latency.ts';
import { overhead } from './sections/overhead.ts';
import { tokens } from './sections/tokens.ts';
import { verdictTime } from './sections/verdict-time.ts';

export function parseOptions(argv: string[]): BenchOptions {
  const known = [
    'quick',
    'sections',
    'iterations',
    'flood-frames',
    'flood-runs',
    'concurrency',
    'paths-per-worker',
    'cold-runs',
    'cold-specs',
    'variants',
    'out',
    'no-quiet-wait',
  ];
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !known.includes(match[1] as string))
      throw new Error(`unknown argument "${arg}"; known: ${known.map((name) => `--${name}`).join(' ')}`);
    flags.set(match[1] as string, match[2] ?? 'true');
  }
  const quick = flags.get('quick') === 'true';
  const int = (name: string, full: number, small: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return quick ? small : full;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
    return value;
  };
  const sections = (flags.get('sections') ?? SECTION_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of sections) {
    if (!(SECTION_NAMES as readonly string[]).includes(name))
      throw new Error(`unknown section "${name}"; sections: ${SECTION_NAMES.join(', ')}`);
  }
  const levels = (flags.get('concurrency') ?? (quick ? '1,2' : '1,2,4,8')).split(',').map(Number);
  if (levels.some((n) => !Number.isInteger(n) || n < 1 || n > BENCH_USERS.length))
    throw new Error(`--concurrency takes worker counts from 1 to ${BENCH_USERS.length}`);
  return {
    quick,
    sections: sections as SectionName[],
    iterations: int('iterations', 10, 1),
    floodFrames: int('flood-frames', 10_000, 200),
    floodRuns: int('flood-runs', 2, 1),
    concurrency: levels,
    pathsPerWorker: int('paths-per-worker', 3, 1),
    coldRuns: int('cold-runs', 2, 1),
    coldSpecs: (flags.get('cold-specs') ?? 'all,golden-path').split(',').filter(Boolean),
    variants: (flags.get('variants') ?? '').split(',').filter(Boolean),
    out: path.resolve(flags.get('out') ?? path.join(ROOT, 'bench', 'results.json')),
    noQuietWait: flags.get('no-quiet-wait') === 'true' || quick,
  };
}

async function withPlatform<T>(
  env: Record<string, string>,
  body: (platform: RunningPlatform) => Promise<T>,
): Promise<T> {
  // Every run the same shape (8 events over exactly PLATFORM_RUN_MS): otherwise the agent's
  // own random pacing (70–130 % of 1.5 s) would swamp the differences being measured.
  const platform = await startPlatform({ PLATFORM_RUN_SHAPE: 'fixed', ...env });
  try {
    return await body(platform);
  } finally {
    await platform.stop();
  }
}

async function section<T>(
  context: BenchContext,
  name: SectionName,
  body: () => Promise<T>,
): Promise<T | undefined> {
  if (!context.options.sections.includes(name)) return undefined;
  const started = Date.now();
  context.log(`\n[bench] ${name}`);
  try {
    const result = await body();
    context.log(`[bench] ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  } catch (error) {
    const message = (error as Error).stack ?? String(error);
    context.log(`[bench] ${name} FAILED: ${message}`);
    context.notes.push(`${name}: failed: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

export async function runBench(
  options: BenchOptions,
  log = (line: string) => console.log(line),
): Promise<Results> {
  const context = createContext(options, log);
  try {
    return await measure(context);
  } finally {
    await context.close();
  }
}

async function measure(context: BenchContext): Promise<Results> {
  const { options, log } = context;
  const started = new Date();
  log(`[bench] ${options.quick ? 'quick' : 'full'} run; scratch folder ${context.workDir}`);
  const machine = await describeMachine(context.browser);
  log(
    `[bench] ${machine.cpus} CPU(s) ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Playwright ${machine.playwright}, Chromium ${machine.chromium}`,
  );
  const loadAtStart = loadAverage();
  const results: Results = {
    generatedAt: started.toISOString(),
    durationS: 0,
    machine,
    options: { ...options, out: path.relative(ROOT, options.out) },
    loadAverage: { start: loadAtStart, end: [] },
    notes: context.notes,
    targets: [],
  };

  const wants = (name: SectionName) => options.sections.includes(name);
  const flooding = { PLATFORM_FLOOD_FRAMES: String(options.floodFrames) };
  // --quick checks the shape of the numbers, not their size: one flooding platform serves the
  // overhead, the latency and the flood sections (the flood counts each run's own frames).
  const oneForAll = options.quick && wants('flood') && (wants('overhead') || wants('latency'));
  // Overhead and latency share one platform: latency reads the overhead runs' server times.
  if (wants('overhead') || wants('latency')) {
    await withPlatform(oneForAll ? flooding : {}, async (platform) => {
      const measured = await section(context, 'overhead', () => overhead(context, platform));
      if (measured) {
        const { warmRun, bareResults, ...rest } = measured;
        results.overhead = rest;
        results.latency = await section(context, 'latency', () =>
          latency(context, platform, warmRun, bareResults ?? []),
        );
      }
      if (oneForAll) results.flood = await section(context, 'flood', () => flood(context, platform));
    });
  }
  if (wants('flood') && !oneForAll) {
    await withPlatform(flooding, async (platform) => {
      results.flood = await section(context, 'flood', () => flood(context, platform));
    });
  }
  if (options.sections.includes('concurrency')) {
    await withPlatform(
      { PLATFORM_USERS: BENCH_USERS.join(','), PLATFORM_USER_PASSWORD: PLATFORM_DEFAULTS.password },
      async (platform) => {
        results.concurrency = await section(context, 'concurrency', () => concurrency(context, platform));
      },
    );
  }
  results.cold = await section(context, 'cold', () => cold(context));
  if (options.sections.includes('tokens')) {
    await withPlatform({}, async (platform) => {
      results.tokens = await section(context, 'tokens', () => tokens(context, platform));
    });
  }

  results.verdict = await section(context, 'verdict', () => verdictTime(context));

  results.loadAverage.end = loadAverage();
  results.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  results.targets = targetsOf(results);
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`\n${formatTable(results)}`);
  log(`\n[bench] results: ${path.relative(process.cwd(), options.out) || options.out}`);
  if (process.env.BENCH_KEEP_WORKDIR !== '1') rmSync(context.workDir, { recursive: true, force: true });
  return results;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, 'bench', 'run.ts');
if (isMain) {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    process.exit(2);
  }
  runBench(options).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
