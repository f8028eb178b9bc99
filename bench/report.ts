/** The results file's shape, the targets of issue 6 checked against it, and the printed table. */
import type { Machine } from './machine.ts';
import type { ColdResult } from './sections/cold.ts';
import type { ConcurrencyResult } from './sections/concurrency.ts';
import type { FloodResult } from './sections/flood.ts';
import type { LatencyResult } from './sections/latency.ts';
import type { OverheadResult } from './sections/overhead.ts';
import type { TokenResult } from './sections/tokens.ts';
import { formatVerdictTimes, type VerdictTimeResult } from './sections/verdict-time.ts';

export interface Target {
  target: string;
  measured: string;
  met: boolean | 'not measured';
}

export interface Results {
  generatedAt: string;
  durationS: number;
  machine: Machine;
  options: Record<string, unknown>;
  loadAverage: { start: number[]; end: number[] };
  notes: string[];
  overhead?: Omit<OverheadResult, 'warmRun' | 'bareResults'>;
  latency?: LatencyResult | undefined;
  flood?: FloodResult | undefined;
  concurrency?: ConcurrencyResult | undefined;
  cold?: ColdResult | undefined;
  tokens?: TokenResult | undefined;
  verdict?: VerdictTimeResult | undefined;
  targets: Target[];
}

const ms = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? '—' : `${Math.round(value)} ms`;
const s = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? '—' : `${(value / 1000).toFixed(1)} s`;

export function targetsOf(results: Results): Target[] {
  const targets: Target[] = [];
  const warm = results.overhead?.warm;
  targets.push(
    warm
      ? {
          target: 'warm golden-path spec ≤ 1.5 × bare client',
          measured: `${warm.ratio} × (${ms(warm.spec.median)} vs ${ms(warm.bare.median)})`,
          met: warm.ratio <= 1.5,
        }
      : { target: 'warm golden-path spec ≤ 1.5 × bare client', measured: '—', met: 'not measured' },
  );
  const flood = results.flood;
  if (flood) {
    const runs = flood.runs;
    const lost = runs.reduce((sum, run) => sum + run.floodMissing, 0);
    const failed = runs.filter((run) => !run.passed).length;
    const sentEach = [...new Set(runs.map((run) => run.floodSent))].join('/');
    targets.push({
      target: `zero frames lost at ${flood.frames} frames, tracing off and on`,
      measured: `${lost} lost over ${runs.length} run(s) (sent ${sentEach} each; ${failed} run(s) failed)`,
      met: lost === 0 && failed === 0 && runs.every((run) => run.floodSent === flood.frames),
    });
  } else {
    targets.push({ target: 'zero frames lost at 10,000 frames', measured: '—', met: 'not measured' });
  }
  const cold = results.cold;
  targets.push(
    cold && Number.isFinite(cold.literalMedianMs)
      ? {
          target: 'cold `npm run golden-path` < 15 s',
          measured: `${s(cold.literalMedianMs)} whole suite; ${s(cold.goldenOnlyMedianMs)} golden path only`,
          met: cold.literalMedianMs < 15_000,
        }
      : { target: 'cold `npm run golden-path` < 15 s', measured: cold?.skipped ?? '—', met: 'not measured' },
  );
  const tokens = results.tokens;
  targets.push(
    tokens
      ? {
          target: 'one token request per user per token lifetime',
          measured: `max ${tokens.perUserPerLifetime} test-auth call(s) per user over a run without and one with the cache`,
          met: tokens.perUserPerLifetime <= 1,
        }
      : { target: 'one token request per user per token lifetime', measured: '—', met: 'not measured' },
  );
  const verdict = results.verdict;
  const slow = verdict?.faults.filter((row) => !row.within).map((row) => row.fault) ?? [];
  targets.push(
    verdict
      ? {
          target: 'every fault with complete evidence decided within healthy + 1.5 s',
          measured: `${verdict.faults.length - slow.length}/${verdict.faults.length} within limit (healthy ${ms(verdict.healthyMs)})${slow.length ? `; over: ${slow.join(', ')}` : ''}`,
          met: verdict.met,
        }
      : {
          target: 'every fault with complete evidence decided within healthy + 1.5 s',
          measured: '—',
          met: 'not measured',
        },
  );
  return targets;
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export function formatTable(results: Results): string {
  const rows: string[][] = [['section', 'measure', 'value']];
  const add = (section: string, measure: string, value: string) => rows.push([section, measure, value]);
  const m = results.machine;
  add('machine', 'cpu / memory', `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB`);
  add('machine', 'node / playwright / chromium', `${m.node} / ${m.playwright} / ${m.chromium}`);
  const o = results.overhead;
  if (o) {
    add('1 overhead', `warm bare client (median of ${o.warm.bare.n})`, ms(o.warm.bare.median));
    add('1 overhead', `warm golden-path spec (median of ${o.warm.spec.n})`, ms(o.warm.spec.median));
    add('1 overhead', 'warm ratio spec / bare', `${o.warm.ratio} × (+${ms(o.warm.overheadMs)})`);
    if (o.warm.specTraceOff)
      add(
        '1 overhead',
        'warm spec with E2E_TRACE=off (default: retain-on-failure)',
        ms(o.warm.specTraceOff.median),
      );
    for (const [phase, value] of Object.entries(o.warm.specPhases))
      add('', `  spec step: ${phase}`, ms(value));
    add(
      '1 overhead',
      'UI floor: plain Playwright / bare (in-process)',
      `${ms(o.uiFloor.plainPlaywright.median)} / ${ms(o.uiFloor.bare.median)} = ${o.uiFloor.ratio} ×`,
    );
    const whole = o.wholeProcess;
    add(
      '1 overhead',
      whole ? `whole process: spec / bare (median of ${whole.spec.n})` : 'whole process: spec / bare',
      whole
        ? `${ms(whole.spec.median)} / ${ms(whole.bare.median)} = ${whole.ratio} ×`
        : 'not measured (--quick)',
    );
    add(
      '1 overhead',
      'first spec run (browser launch)',
      `${ms(o.warm.firstSpecMs)} (${ms(o.warm.browserLaunchMs)})`,
    );
  }
  const f = results.flood;
  if (f) {
    for (const run of f.runs) {
      add(
        '2 flood',
        `trace ${run.trace}: sent / recorded / lost`,
        `${run.floodSent} / ${run.floodRecorded} / ${run.floodMissing}${run.passed ? '' : ' (test FAILED)'}; test ${ms(run.testMs)}, agent_completed +${ms(run.agentCompletedMs)}`,
      );
    }
    add('2 flood', 'bare client run through the flood', ms(f.bare.runMs.median));
    const c = f.recorderCost;
    add(
      '2 flood',
      'recorder cost: send→answer without / with',
      `${ms(c.without.runMs.median)} / ${ms(c.with.runMs.median)} (+${ms(c.extraMs)})`,
    );
    add(
      '2 flood',
      'recorder cost: Node CPU without / with',
      `${c.without.nodeCpuS} s / ${c.with.nodeCpuS} s`,
    );
    add(
      '2 flood',
      'recorder cost: Chromium CPU without / with',
      `${c.without.browserCpuS} s / ${c.with.browserCpuS} s`,
    );
  }
  const c = results.concurrency;
  if (c) {
    for (const level of c.levels) {
      add(
        '3 concurrency',
        `${level.workers} worker(s), ${level.goldenPaths} golden paths`,
        `${level.pathsPerMinute}/min, p95 agent_completed ${ms(level.p95AgentCompletedMs)}, p95 test ${ms(level.p95TestMs)}, peak RSS ${level.peakRssMiB} MiB (PSS ${level.peakPssMiB}), ${level.cpuPerPathS} CPU-s/path, ${level.failed} failed`,
      );
    }
    add(
      '3 concurrency',
      'stops scaling at',
      c.stopsScalingAt ? `${c.stopsScalingAt} workers` : 'did not stop in the levels run',
    );
  }
  const k = results.cold;
  if (k) {
    if (k.skipped) add('4 cold start', 'skipped', k.skipped);
    add('4 cold start', '`npm run golden-path` (whole suite)', s(k.literalMedianMs));
    add('4 cold start', '`npm run golden-path -- golden-path.spec.ts`', s(k.goldenOnlyMedianMs));
    for (const [phase, value] of Object.entries(k.breakdownMedians)) add('', `  ${phase}`, ms(value));
    for (const [variant, medians] of Object.entries(k.variants ?? {})) {
      add(
        '4 cold start',
        `  variant ${variant}`,
        `golden path only ${ms(medians.wallMs)} (platform boot ${ms(medians.platformBootMs)}, worker start ${ms(medians.workerStartMs)}, golden path starts at ${ms(medians.firstGoldenMs)})${
          k.variantsWholeSuite?.[variant] !== undefined && Number.isFinite(k.variantsWholeSuite[variant])
            ? `; whole suite ${s(k.variantsWholeSuite[variant])}`
            : ''
        }`,
      );
    }
  }
  const t = results.tokens;
  if (t) {
    for (const run of t.runs) {
      add(
        '5 tokens',
        `${run.signIn}, cache ${run.cache} (${run.goldenPaths} golden paths)`,
        `${run.tokenRequests} token request(s), ${run.uiLogins} UI login(s)`,
      );
    }
  }
  const l = results.latency;
  if (l) {
    add(
      '6 latency',
      `harness arrival − server send (${l.events} events)`,
      `median ${l.harness.deliveryMs.median} ms, p95 ${l.harness.deliveryMs.p95} ms, max ${l.harness.deliveryMs.max} ms`,
    );
    add(
      '6 latency',
      'harness interval error',
      `median ${l.harness.intervalErrorMs.median} ms, max |err| ${l.harness.maxAbsIntervalErrorMs} ms`,
    );
    add(
      '6 latency',
      'reported timeline error',
      `median ${l.harness.reportedErrorMs.median} ms, p95 ${l.harness.reportedErrorMs.p95} ms`,
    );
    add(
      '6 latency',
      'bare client arrival − server send',
      `median ${l.bare.deliveryMs.median} ms, p95 ${l.bare.deliveryMs.p95} ms`,
    );
  }
  const targets = results.targets.map((target) => [
    target.met === true ? 'met' : target.met === false ? 'NOT MET' : '—',
    target.target,
    target.measured,
  ]);
  const notes =
    results.notes.length > 0 ? `\nnotes:\n${results.notes.map((note) => `  - ${note}`).join('\n')}` : '';
  const verdict = results.verdict ? `\n\n${formatVerdictTimes(results.verdict)}` : '';
  return `${table(rows)}${verdict}\n\n${table([['', 'target', 'measured'], ...targets])}${notes}`;
}
