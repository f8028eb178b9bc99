/**
 * Fault-matrix rows in batches: which rows can share one Playwright run, the run itself
 * (batch.spec.ts under this folder's config), and each row's part of its evidence.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Diagnosis, EvidenceRecord } from '../../../harness/evidence-record.ts';
import { dialectOf, type Row, SETUP_CODES, type Spec, workersFor } from '../fault-matrix-rows.ts';
import { type ChildRun, ROOT, runNode } from '../platform.ts';

const PLAYWRIGHT_CLI = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const CONFIG = path.join(ROOT, 'test', 'support', 'matrix-batch', 'playwright.config.ts');
// batch.spec.ts's annotations; not imported from it, which is a Playwright test file.
const FAULT_ANNOTATION = 'matrix-fault';
const ERROR_ANNOTATION = 'matrix-error';

/**
 * Rows per batch: a spec of many tests (auth: five) runs fewer rows in one sequential run. Since
 * a batch's rows share one worker and browser, larger batches cost less (BENCHMARKS.md); these
 * keep the longest batch (about 45 s) well under the matrix's share of a lane.
 */
const BATCH_ROWS: Record<Spec, number> = { '@golden-path': 7, '@auth': 3, '@isolation': 3, '@resilience': 2 };

/** One Playwright run: one row alone (any fault), or several batchable rows of one spec. */
export interface Unit {
  rows: Row[];
}

const batchable = (row: Row) => !SETUP_CODES.has(row.expected) && workersFor(row).length === 0;
const keyOf = (row: Row) => [dialectOf(row), row.spec, row.profile ?? '', row.budgets ?? ''].join('|');

/**
 * Rows grouped by what their run shares (dialect, spec, profile, budgets), each group cut into
 * batches of at most BATCH_ROWS of near-equal size; every other row is a unit of its own.
 */
export function unitsOf(rows: readonly Row[]): Unit[] {
  const groups = new Map<string, Row[]>();
  const units: Unit[] = [];
  for (const row of rows) {
    if (!batchable(row)) units.push({ rows: [row] });
    else groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  }
  for (const group of groups.values()) {
    const [first] = group;
    if (first === undefined) continue;
    const count = Math.ceil(group.length / BATCH_ROWS[first.spec]);
    const size = Math.ceil(group.length / count);
    for (let at = 0; at < group.length; at += size) units.push({ rows: group.slice(at, at + size) });
  }
  return units;
}

/** The titles a row's fault must fail, as a pattern's source: none for a healthy row, all ('') unless it says. */
const failingTitles = (row: Row): string | null =>
  row.expected === 'passed' ? null : (row.fails?.source ?? '');

/** The batch's rows as one Playwright run: one copy of `spec` per fault (batch.spec.ts), one worker. */
export async function runBatch(rows: readonly Row[], env: Record<string, string>): Promise<ChildRun> {
  const [first] = rows;
  if (first === undefined) throw new Error('an empty batch');
  const out = mkdtempSync(path.join(tmpdir(), 'golden-path-batch-'));
  mkdirSync(out, { recursive: true });
  const run = await runNode(
    [PLAYWRIGHT_CLI, 'test', '--config', CONFIG],
    {
      E2E_OUTPUT_DIR: out,
      E2E_STATE_DIR: path.join(out, 'state'),
      ...env,
      SELFTEST_BATCH_SPEC: first.spec.slice(1),
      SELFTEST_BATCH_FAULTS: rows.map((row) => row.fault).join(','),
      SELFTEST_BATCH_FAILS: JSON.stringify(rows.map(failingTitles)),
    },
    out,
  );
  let diagnosis: Diagnosis | undefined;
  try {
    diagnosis = JSON.parse(readFileSync(path.join(out, 'diagnosis.json'), 'utf8'));
  } catch {
    diagnosis = undefined;
  }
  return { ...run, outputDir: out, diagnosis };
}

const annotation = (test: EvidenceRecord, type: string) =>
  test.annotations?.find((item) => item.type === type)?.description;

/**
 * One row's part of a batch, as if it had run alone: its tests (found by the fault each was
 * annotated with), their status, and a non-zero exit code when one of them failed. The batch's
 * output is not the row's: other rows' messages are in it. `stdout` holds this row's full
 * failure messages instead, for its `says`.
 */
export function rowOf(batch: ChildRun, row: Row): ChildRun {
  const tests = (batch.diagnosis?.tests ?? []).filter(
    (test) => annotation(test, FAULT_ANNOTATION) === row.fault,
  );
  const failed = tests.some((test) => test.status !== 'passed' && test.status !== 'skipped');
  const status: Diagnosis['status'] = failed ? 'failed' : 'passed';
  const counts: Record<string, number> = {};
  for (const test of tests) counts[test.status] = (counts[test.status] ?? 0) + 1;
  return {
    // No test of this row at all (the batch stopped before it) is a failure, never a pass.
    exitCode: failed || tests.length === 0 ? batch.exitCode || 1 : 0,
    stdout: tests.map((test) => annotation(test, ERROR_ANNOTATION) ?? '').join('\n'),
    stderr: '',
    durationMs: tests.reduce((sum, test) => sum + (test.durationMs ?? 0), 0),
    outputDir: batch.outputDir,
    diagnosis:
      batch.diagnosis === undefined || tests.length === 0
        ? undefined
        : { ...batch.diagnosis, status, counts, tests },
  };
}
