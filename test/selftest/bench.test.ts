/**
 * The bench cannot rot: a tiny version of `npm run bench` (one iteration of each way, a
 * 200-frame flood, one platform and one browser for every section, no whole-process runs) runs
 * end to end and must produce well-formed numbers, and its flood runs must pass with no frame
 * lost. No timing is judged here: on a shared two-core machine a threshold would only make this
 * test flaky.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatTable, type Results } from '../../bench/report.ts';
import { parseOptions, runBench } from '../../bench/run.ts';
import type { Summary } from '../../bench/stats.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'golden-path-bench-selftest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const positive = (value: unknown, what: string) =>
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${what}: ${String(value)}`);
const wellFormed = (summary: Summary | undefined, what: string, count = 1) => {
  assert.ok(summary, `${what} missing`);
  assert.equal(summary.n, count, `${what}: n`);
  positive(summary.median, `${what} median`);
  assert.ok(summary.min <= summary.median && summary.median <= summary.max, `${what}: min ≤ median ≤ max`);
};

describe('npm run bench, tiny', () => {
  it('rejects unknown arguments and sections', () => {
    assert.throws(() => parseOptions(['--nope']), /unknown argument/);
    assert.throws(() => parseOptions(['--sections=warp']), /unknown section/);
    assert.throws(() => parseOptions(['--concurrency=9']), /worker counts/);
    const full = parseOptions([]);
    assert.equal(full.iterations, 10);
    assert.equal(full.floodFrames, 10_000);
    assert.deepEqual(full.concurrency, [1, 2, 4, 8]);
  });

  it('measures overhead, latency and a flood, and writes results.json', { timeout: 240_000 }, async () => {
    const out = path.join(dir, 'results.json');
    const lines: string[] = [];
    const options = parseOptions(['--quick', '--sections=overhead,latency,flood', `--out=${out}`]);
    let results: Results;
    try {
      results = await runBench(options, (line) => lines.push(line));
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${lines.join('\n')}`);
    }
    const written = JSON.parse(readFileSync(out, 'utf8')) as Results;
    assert.equal(written.generatedAt, results.generatedAt);
    const context = `bench output:\n${lines.join('\n')}`;
    assert.deepEqual(results.notes, [], context);

    const { machine } = written;
    positive(machine.cpus, 'cpus');
    positive(machine.memoryGiB, 'memory');
    for (const field of ['node', 'playwright', 'chromium'] as const) {
      assert.match(machine[field], /\d+\.\d+/, `${field} version`);
    }

    const overhead = written.overhead;
    assert.ok(overhead, context);
    wellFormed(overhead.warm.bare, 'warm bare');
    wellFormed(overhead.warm.spec, 'warm spec');
    positive(overhead.warm.ratio, 'warm ratio');
    positive(overhead.warm.browserLaunchMs, 'browser launch');
    assert.ok(Object.keys(overhead.warm.specPhases).length >= 3, 'spec phases');
    wellFormed(overhead.uiFloor.plainPlaywright, 'UI floor');
    assert.equal(overhead.wholeProcess, undefined, '--quick skips the whole-process runs');
    assert.equal(overhead.warm.failures + overhead.uiFloor.failures, 0);

    const latency = written.latency;
    assert.ok(latency, context);
    assert.ok(latency.runsMatched >= 1, `runs matched: ${latency.runsMatched}`);
    assert.ok(latency.events >= 5, `events paired: ${latency.events}`);
    assert.ok(Number.isFinite(latency.harness.deliveryMs.median), 'delivery error');
    assert.ok(Number.isFinite(latency.bare.deliveryMs.median), 'bare delivery error');

    const flood = written.flood;
    assert.ok(flood, context);
    assert.equal(flood.frames, 200);
    assert.deepEqual(
      flood.runs.map((run) => run.trace),
      ['off', 'on'],
    );
    for (const run of flood.runs) {
      assert.equal(run.passed, true, `${run.trace}: the flood run failed: ${run.error ?? 'no result'}`);
      assert.equal(run.floodSent, 200, `${run.trace}: sent`);
      assert.equal(run.floodMissing, 0, `${run.trace}: frames lost`);
      assert.equal(run.floodRecorded, 200, `${run.trace}: recorded`);
      assert.equal(run.duplicates, 0, `${run.trace}: duplicates`);
      positive(run.testMs, `${run.trace}: test ms`);
    }
    assert.deepEqual(flood.lost, { off: 0, on: 0 });
    wellFormed(flood.recorderCost.without.runMs, 'recorder cost, without');
    wellFormed(flood.recorderCost.with.runMs, 'recorder cost, with');

    // The targets, read as a person reads them: what each claims, not the code that claims it.
    assert.equal(written.targets.length, 5, JSON.stringify(written.targets));
    const target = (start: string) => written.targets.find((item) => item.target.startsWith(start));
    const warm = target('warm golden-path spec');
    assert.equal(warm?.met, overhead.warm.ratio <= 1.5, JSON.stringify(warm));
    assert.ok(warm?.measured.startsWith(`${overhead.warm.ratio} ×`), JSON.stringify(warm));
    assert.deepEqual(target('zero frames lost'), {
      target: 'zero frames lost at 200 frames, tracing off and on',
      measured: '0 lost over 2 run(s) (sent 200 each; 0 run(s) failed)',
      met: true,
    });
    assert.equal(target('cold')?.met, 'not measured');
    assert.equal(target('one token request')?.met, 'not measured');
    const table = formatTable(written);
    assert.match(table, /1 overhead/);
    assert.match(table, /whole process: spec \/ bare +not measured \(--quick\)/);
    assert.match(table, /2 flood/);
    assert.match(table, /6 latency/);
    assert.doesNotMatch(table, /NaN/);
  });
});
