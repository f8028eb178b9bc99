/**
 * Sharding, locally, the way CI does it: `--shard=1/2` and `--shard=2/2` (each writing to its own
 * folder under shards/), then `npm run merge-shards`. The merged diagnosis and Allure results
 * must equal one unsharded run's in test count and outcomes. The platform has a fault, so there
 * are both passes and failures to compare.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import type { SignoffVerdict } from '../../harness/signoff/verdict.ts';
import type { MergedDiagnosis } from '../../scripts/merge-shards.ts';
import {
  type ChildRun,
  harnessEnv,
  type RunningPlatform,
  runHarness,
  runScriptSync,
  startPlatform,
} from '../support/platform.ts';

const GREP = ['--grep', '@preflight|@golden-path|@auth'];

let platform: RunningPlatform;
let full: ChildRun;
const shards: ChildRun[] = [];
let base: string;
let merge: { status: number | null; output: string };

const outcomes = (tests: { title: string; status: string }[]) =>
  Object.fromEntries(tests.map((test) => [test.title, test.status]));

/** Each test's latest outcome in an Allure results folder (several results of a test are retries). */
function allureOutcomes(dir: string): Record<string, string> {
  const results = readdirSync(dir)
    .filter((name) => name.endsWith('-result.json'))
    .map(
      (name) =>
        JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
          historyId: string;
          fullName: string;
          status: string;
          stop: number;
        },
    )
    .sort((a, b) => a.stop - b.stop);
  const latest: Record<string, string> = {};
  for (const result of results) latest[`${result.fullName} ${result.historyId}`] = result.status;
  return latest;
}

/** The stats of a Playwright HTML report (its data is a zip inside the page). */
function htmlStats(file: string): Record<string, number> {
  const data = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  const report = unzipSync(Buffer.from(data, 'base64'))['report.json'];
  assert.ok(report, 'the HTML report holds no report.json');
  return (JSON.parse(Buffer.from(report).toString('utf8')) as { stats: Record<string, number> }).stats;
}

before(async () => {
  platform = await startPlatform({ PLATFORM_FAULT: 'drop-tool_completed' });
  const env = harnessEnv(platform.urls);
  base = mkdtempSync(path.join(tmpdir(), 'golden-path-shards-'));
  // The full run beside the first shard (separate folders, one platform), then the second shard.
  [full] = await Promise.all([
    runHarness(GREP, env, path.join(base, 'full')),
    runHarness([...GREP, '--shard=1/2'], env, path.join(base, 'sharded')).then((run) => shards.push(run)),
  ]);
  shards.push(await runHarness([...GREP, '--shard=2/2'], env, path.join(base, 'sharded')));
  merge = runScriptSync(['scripts/merge-shards.ts'], { E2E_OUTPUT_DIR: path.join(base, 'sharded') });
});

after(async () => {
  await platform?.stop();
});

describe('two shards merged equal one run', { timeout: 150_000 }, () => {
  const sharded = () => path.join(base, 'sharded');

  it('each shard ran part of the suite, in its own folder', () => {
    assert.ok(full.diagnosis, full.stdout.slice(-2000));
    const statuses = (full.diagnosis?.tests ?? []).map((test) => test.status);
    assert.ok(
      statuses.includes('passed') && statuses.includes('failed'),
      `want passes and failures: ${statuses}`,
    );
    for (const [index, name] of ['1-of-2', '2-of-2'].entries()) {
      const folder = path.join(sharded(), 'shards', name);
      for (const part of ['diagnosis.json', 'allure-results', 'blob-report', 'signoff/evidence/run.json']) {
        assert.ok(existsSync(path.join(folder, part)), `${name} has no ${part}`);
      }
      const diagnosis = JSON.parse(
        readFileSync(path.join(folder, 'diagnosis.json'), 'utf8'),
      ) as MergedDiagnosis;
      assert.equal(
        shards[index]?.exitCode === 0,
        diagnosis.status === 'passed',
        `${name}: exit code and diagnosis disagree`,
      );
      const ran = diagnosis.tests.length;
      assert.ok(ran > 0 && ran < (full.diagnosis?.tests.length ?? 0), `${name} ran ${ran}`);
    }
  });

  it('the merged diagnosis has the same tests, count and outcomes as the full run', () => {
    assert.equal(merge.status, 0, merge.output);
    const merged = JSON.parse(
      readFileSync(path.join(sharded(), 'diagnosis.json'), 'utf8'),
    ) as MergedDiagnosis;
    assert.equal(merged.tests.length, full.diagnosis?.tests.length);
    assert.deepEqual(outcomes(merged.tests), outcomes(full.diagnosis?.tests ?? []));
    assert.deepEqual(merged.counts, (full.diagnosis as unknown as MergedDiagnosis).counts);
    assert.equal(merged.status, full.diagnosis?.status);
    assert.equal(merged.shards.length, 2);
    assert.match(merge.output, /merged 2 shard\(s\): failed, \d+ tests/);
  });

  it('the merged Allure results hold the same tests with the same outcomes', () => {
    const merged = allureOutcomes(path.join(sharded(), 'allure-results'));
    const one = allureOutcomes(path.join(full.outputDir, 'allure-results'));
    assert.deepEqual(merged, one);
    const environment = readFileSync(
      path.join(sharded(), 'allure-results', 'environment.properties'),
      'utf8',
    );
    assert.match(environment, /^shards=2$/m);
  });

  it('the merged HTML report has every test once and the same failures', () => {
    const merged = htmlStats(path.join(sharded(), 'playwright-report', 'index.html'));
    const one = htmlStats(path.join(full.outputDir, 'playwright-report', 'index.html'));
    assert.equal(merged.unexpected, one.unexpected);
    assert.equal(merged.total, one.total);
  });

  it('the sign-off reads the merged evidence (`--from`)', () => {
    const run = runScriptSync(['scripts/signoff.ts', '--from', sharded()], {});
    assert.equal(run.status, 1, run.output);
    const verdict = JSON.parse(
      readFileSync(path.join(sharded(), 'signoff', 'verdict.json'), 'utf8'),
    ) as SignoffVerdict;
    assert.equal(verdict.cause?.code, 'EVENT_MISSING');
    assert.equal(verdict.criteria.find((criterion) => criterion.id === 'services')?.status, 'passed');
    assert.equal(verdict.criteria.find((criterion) => criterion.id === 'tokens')?.status, 'passed');
    assert.equal(verdict.criteria.find((criterion) => criterion.id === 'isolation')?.status, 'unproven');
    assert.equal(verdict.evidence.filter((source) => source.endsWith('run.json')).length, 2);
  });
});
